import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../../src/env";
import { api } from "../helpers";
import { MAX_EVENT_BYTES } from "../../src/db/queries/events";
import { emitEvents } from "../../src/events/outbox";
import { db, readEvent, readEventResources, taskRunEvent } from "./support";

const heartbeat = (overrides: Record<string, unknown> = {}) => ({
  occurred: "2026-04-01T00:00:00.000000Z",
  event: "prefect.flow-run.heartbeat",
  resource: { "prefect.resource.id": `prefect.flow-run.${crypto.randomUUID()}` },
  related: [],
  payload: {},
  id: crypto.randomUUID(),
  ...overrides,
});

describe("POST /events", () => {
  it("stores a batch (204, no body), defaulting related, payload and follows", async () => {
    const a = heartbeat();
    const { related, payload, ...b } = heartbeat({ id: crypto.randomUUID().toUpperCase() });
    const res = await api("POST", "/events", [a, b]);
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expect(await readEvent(a.id)).toMatchObject({ related: [], payload: {}, follows: null });
    expect(await readEvent(b.id.toLowerCase())).toMatchObject({ id: b.id.toLowerCase(), related: [], payload: {} });
  });

  it("drops an event larger than Prefect's maximum (1.5 MB as JSON), storing the others", async () => {
    const big = heartbeat({ payload: { blob: "x".repeat(MAX_EVENT_BYTES) } });
    const fits = heartbeat({ payload: { blob: "x".repeat(MAX_EVENT_BYTES - 1000) } });
    const small = heartbeat();
    expect((await api("POST", "/events", [big, fits, small])).status).toBe(204);
    expect(await readEvent(big.id)).toBeFalsy();
    expect(await readEvent(fits.id)).toBeTruthy();
    expect(await readEvent(small.id)).toBeTruthy();
  });

  it("is idempotent on event id", async () => {
    const e = heartbeat({ related: [{ "prefect.resource.id": "prefect.flow.x", "prefect.resource.role": "flow" }] });
    expect((await api("POST", "/events", [e])).status).toBe(204);
    expect((await api("POST", "/events", [{ ...e, event: "changed" }])).status).toBe(204);
    expect(await readEvent(e.id)).toMatchObject({ event: "prefect.flow-run.heartbeat" });
    expect(await readEventResources(e.id)).toHaveLength(2);
  });

  it("answers Prefect's 422 for invalid events", async () => {
    const noId = await api("POST", "/events", [heartbeat({ resource: { "prefect.resource.name": "x" } })]);
    expect(noId.status).toBe(422);
    expect(noId.body.exception_detail[0]).toMatchObject({
      type: "value_error",
      loc: ["body", 0, "resource"],
      msg: "Value error, Resources must include the prefect.resource.id label",
    });
    const noRole = await api("POST", "/events", [heartbeat({ related: [{ "prefect.resource.id": "prefect.flow.x" }] })]);
    expect(noRole.body.exception_detail[0]).toMatchObject({
      loc: ["body", 0, "related", 0],
      msg: "Value error, Related Resources must include the prefect.resource.role label",
    });
    const badId = await api("POST", "/events", [heartbeat({ id: "nope" })]);
    expect(badId.body.exception_detail[0]).toMatchObject({ type: "uuid_parsing", loc: ["body", 0, "id"] });
    const missing = await api("POST", "/events", [{ event: "x" }]);
    expect(missing.body.exception_detail.map((d: any) => d.loc.at(-1)).sort()).toEqual(["id", "occurred", "resource"]);
    expect((await api("POST", "/events", { not: "a list" })).status).toBe(422);
  });

  it("is described in the OpenAPI document", async () => {
    const doc = (await api("GET", "/openapi.json")).body;
    expect(doc.paths["/events"].post.responses["204"]).toBeDefined();
    expect(doc.paths["/logs/"].post.responses["201"]).toBeDefined();
    expect(doc.paths["/logs/filter"].post).toBeDefined();
  });
});

describe("emitEvents (server-made events)", () => {
  it("stores events with generated ids and timestamps", async () => {
    const flowRunId = crypto.randomUUID();
    const id = crypto.randomUUID();
    await emitEvents([
      {
        id,
        event: "prefect.flow-run.Running",
        resource: { "prefect.resource.id": `prefect.flow-run.${flowRunId}`, "prefect.state-type": "RUNNING" },
        related: [{ "prefect.resource.id": "prefect.flow.abc", "prefect.resource.role": "flow" }],
        payload: { intended: { from: "PENDING", to: "RUNNING" } },
      },
    ], env as unknown as Bindings);
    const stored = await readEvent(id);
    expect(stored).toMatchObject({ event: "prefect.flow-run.Running", resource_id: `prefect.flow-run.${flowRunId}` });
    expect(stored!.occurred).toBe(stored!.received);
    expect(await readEventResources(id)).toHaveLength(2);
  });

  it("does not run the task-run recorder on server-orchestrated task-run events", async () => {
    const e = taskRunEvent({
      taskRunId: crypto.randomUUID(),
      stateType: "PENDING",
      stateName: "Pending",
      occurred: "2026-01-01T00:00:00.000000Z",
      orchestration: "server",
    });
    await emitEvents([e], env as unknown as Bindings);
    expect(await readEvent(e.id)).toBeDefined();
    expect(await db.query.taskRun.findFirst({ where: (t, { eq }) => eq(t.id, e.resource["prefect.resource.id"].slice(17)) })).toBeUndefined();
  });
});
