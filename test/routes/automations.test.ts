import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, settleEvents, unique } from "../helpers";
import { seedDeployment, seedFlow } from "../fixtures/runs";

const MISSING = "00000000-0000-4000-8000-000000000000";

const eventTrigger = (overrides: Record<string, unknown> = {}) => ({
  type: "event",
  match: { "prefect.resource.name": "howdy!" },
  match_related: { "prefect.resource.role": "something-cool" },
  after: ["this.one", "or.that.one"],
  expect: ["surely.this", "but.also.this", "surely.this"],
  for_each: ["prefect.resource.name"],
  posture: "Reactive",
  threshold: 42,
  within: 120,
  ...overrides,
});

const automationBody = (overrides: Record<string, unknown> = {}) => ({
  name: unique("automation"),
  description: "world",
  enabled: true,
  trigger: eventTrigger(),
  actions: [{ type: "do-nothing" }],
  ...overrides,
});

async function create(overrides: Record<string, unknown> = {}) {
  const res = await api("POST", "/automations/", automationBody(overrides));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function eventsFor(id: string) {
  await settleEvents();
  const rows = await env.DB.prepare("SELECT event, resource, payload FROM event WHERE resource_id = ? ORDER BY occurred, id")
    .bind(`prefect.automation.${id}`)
    .all<{ event: string; resource: string; payload: string }>();
  return rows.results.map((r) => ({ event: r.event, resource: JSON.parse(r.resource), payload: JSON.parse(r.payload) }));
}

describe("automations: create and read", () => {
  it("creates (201) with every trigger and action field, trigger ids server-made, and reads it back", async () => {
    const clientId = "11111111-1111-4111-8111-111111111111";
    const dep = "AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA";
    const created = await create({
      trigger: eventTrigger({ id: clientId }),
      actions: [
        { type: "do-nothing" },
        { type: "run-deployment", source: "selected", deployment_id: dep, parameters: { x: 1 } },
        { type: "change-flow-run-state", state: "FAILED" },
        { type: "send-notification", block_document_id: MISSING, body: "Flow {{ flow.name }} failed" },
        { type: "call-webhook", block_document_id: MISSING, payload: { message: "hi" } },
        { type: "pause-work-pool", source: "inferred" },
      ],
      actions_on_trigger: [{ type: "suspend-flow-run" }],
    });
    expect(created).toMatchObject({ description: "world", enabled: true, tags: [], actions_on_resolve: [] });
    expect(created.trigger).toEqual({
      type: "event",
      id: expect.any(String),
      match: { "prefect.resource.name": "howdy!" },
      match_related: { "prefect.resource.role": "something-cool" },
      after: ["this.one", "or.that.one"],
      expect: ["surely.this", "but.also.this"],
      for_each: ["prefect.resource.name"],
      posture: "Reactive",
      threshold: 42,
      within: 120,
    });
    expect(created.trigger.id).not.toBe(clientId);
    expect(created.actions).toEqual([
      { type: "do-nothing" },
      { type: "run-deployment", source: "selected", deployment_id: dep.toLowerCase(), parameters: { x: 1 }, job_variables: null, schedule_after: 0 },
      { type: "change-flow-run-state", name: null, state: "FAILED", message: null, force: false },
      { type: "send-notification", block_document_id: MISSING, subject: "Prefect automated notification", body: "Flow {{ flow.name }} failed" },
      { type: "call-webhook", block_document_id: MISSING, payload: '{\n  "message": "hi"\n}' },
      { type: "pause-work-pool", source: "inferred", work_pool_id: null },
    ]);
    expect(created.actions_on_trigger).toEqual([{ type: "suspend-flow-run" }]);
    expect(created.created).toBeTruthy();

    const read = await api("GET", `/automations/${created.id}`);
    expect(read).toMatchObject({ status: 200, body: created });
    const events = await eventsFor(created.id);
    expect(events).toEqual([
      { event: "prefect.automation.created", resource: { "prefect.resource.id": `prefect.automation.${created.id}`, "prefect.resource.name": created.name }, payload: created },
    ]);
  });

  it("stores compound and sequence triggers with fresh ids for every nested trigger; Proactive within defaults to 10", async () => {
    const inner = eventTrigger({ id: "22222222-2222-4222-8222-222222222222", posture: "Proactive", within: 0 });
    const created = await create({
      trigger: { type: "compound", require: "any", within: 60, triggers: [inner, { type: "sequence", within: null, triggers: [eventTrigger()] }] },
    });
    const t = created.trigger;
    expect(t).toMatchObject({ type: "compound", require: "any", within: 60 });
    expect(t.triggers[0]).toMatchObject({ type: "event", posture: "Proactive", within: 10 });
    expect(t.triggers[0].id).not.toBe("22222222-2222-4222-8222-222222222222");
    expect(t.triggers[1]).toMatchObject({ type: "sequence", within: null, triggers: [{ type: "event", posture: "Reactive" }] });
    expect(new Set([t.id, t.triggers[0].id, t.triggers[1].id, t.triggers[1].triggers[0].id]).size).toBe(4);
  });

  it("answers Prefect's 404s", async () => {
    expect(await api("GET", `/automations/${MISSING}`)).toMatchObject({ status: 404, body: { exception_message: "Automation not found" } });
    expect(await api("PUT", `/automations/${MISSING}`, automationBody())).toMatchObject({ status: 404, body: { exception_message: "Automation not found" } });
    expect(await api("PATCH", `/automations/${MISSING}`, { enabled: false })).toMatchObject({ status: 404, body: { exception_message: "Automation not found" } });
    expect(await api("DELETE", `/automations/${MISSING}`)).toMatchObject({ status: 404, body: { exception_message: "Automation not found" } });
    expect(await api("GET", "/automations/not-a-uuid")).toMatchObject({ status: 404, body: { detail: "Not Found" } });
  });
});

describe("automations: validation (422)", () => {
  const detail = async (body: unknown) => {
    const res = await api("POST", "/automations/", body);
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.exception_message).toBe("Invalid request received.");
    return res.body.exception_detail as any[];
  };

  it("rejects missing fields, unknown fields and bad types", async () => {
    expect(await detail({ trigger: eventTrigger(), actions: [] })).toEqual([
      expect.objectContaining({ type: "missing", loc: ["body", "name"], msg: "Field required" }),
    ]);
    const extra = await detail({ ...automationBody(), id: MISSING });
    expect(extra).toEqual([expect.objectContaining({ type: "extra_forbidden", loc: ["body", "id"] })]);
    const posture = await detail(automationBody({ trigger: eventTrigger({ posture: "Metric" }) }));
    expect(posture[0]).toMatchObject({ loc: ["body", "trigger", "posture"] });
  });

  it("reports the errors of the trigger or action type sent", async () => {
    const action = await detail(automationBody({ actions: [{ type: "do-nothing" }, { type: "run-deployment", source: "bogus" }] }));
    expect(action).toEqual([expect.objectContaining({ type: "enum", loc: ["body", "actions", 1, "source"], msg: "Input should be 'selected' or 'inferred'" })]);
    const unknown = await detail(automationBody({ actions_on_trigger: [{ type: "launch-rocket" }] }));
    expect(unknown).toEqual([expect.objectContaining({ type: "enum", loc: ["body", "actions_on_trigger", 0, "type"], input: "launch-rocket" })]);
    const nested = await detail(automationBody({ trigger: { type: "compound", require: "any", within: 5, triggers: [{ type: "sequence", triggers: [{ posture: "Reactive", threshold: "x" }] }] } }));
    expect(nested.map((d) => d.loc)).toEqual([
      ["body", "trigger", "triggers", 0, "triggers", 0, "threshold"],
      ["body", "trigger", "triggers", 0, "within"],
    ]);
    const notification = await detail(automationBody({ actions: [{ type: "send-notification", body: "x" }] }));
    expect(notification).toEqual([expect.objectContaining({ type: "missing", loc: ["body", "actions", 0, "block_document_id"] })]);
  });

  it("enforces within bounds for Reactive and Proactive triggers", async () => {
    expect(await detail(automationBody({ trigger: eventTrigger({ within: -1 }) }))).toEqual([
      expect.objectContaining({ type: "greater_than_equal", loc: ["body", "trigger", "within"], msg: "Input should be greater than or equal to 0 seconds" }),
    ]);
    const proactive = await detail(automationBody({ trigger: eventTrigger({ posture: "Proactive", within: 5 }) }));
    expect(proactive[0]).toMatchObject({ type: "value_error", loc: ["body", "trigger"] });
    expect(proactive[0].msg).toContain("`within` for Proactive triggers must be greater than or equal to 10 seconds");
  });

  it("checks compound require and action sources", async () => {
    const require = await detail(automationBody({ trigger: { type: "compound", require: 3, within: 10, triggers: [eventTrigger()] } }));
    expect(require[0].msg).toBe("Value error, require must be less than or equal to the number of triggers");
    const missingId = await detail(automationBody({ actions: [{ type: "run-deployment", source: "selected" }] }));
    expect(missingId).toEqual([expect.objectContaining({ type: "value_error", loc: ["body", "actions", 0], msg: "Value error, deployment_id is required" })]);
    const notAllowed = await detail(automationBody({ actions_on_resolve: [{ type: "pause-work-queue", source: "inferred", work_queue_id: MISSING }] }));
    expect(notAllowed[0]).toMatchObject({ loc: ["body", "actions_on_resolve", 0], msg: "Value error, work_queue_id is not allowed" });
  });

  it("checks templates of notifications and webhooks", async () => {
    const bad = await detail(automationBody({ actions: [{ type: "send-notification", block_document_id: MISSING, body: "{{ oops" }] }));
    expect(bad[0]).toMatchObject({
      loc: ["body", "actions", 0, "body"],
      msg: "Value error, 'body' is not a valid template: unexpected end of template, expected 'end of print statement'.",
    });
    const webhook = await detail(automationBody({ actions: [{ type: "call-webhook", block_document_id: MISSING, payload: "{% for %}" }] }));
    expect(webhook[0].loc).toEqual(["body", "actions", 0, "payload"]);
  });

  it("checks RunDeployment parameters for bad placeholders", async () => {
    const params = await detail(
      automationBody({ actions: [{ type: "run-deployment", source: "selected", deployment_id: MISSING, parameters: { a: { __prefect_kind: "json", value: "{" } } }] }),
    );
    expect(params[0].loc).toEqual(["body", "actions", 0, "parameters"]);
    expect(params[0].msg).toMatch(/^Value error, Invalid parameters: \na: Invalid JSON: /);
  });

  it("refuses automations that would run deployments in a loop", async () => {
    const loop = await detail(
      automationBody({
        trigger: eventTrigger({ match: {}, match_related: {}, expect: ["prefect.flow-run.Running"], after: [] }),
        actions: [{ type: "run-deployment", source: "inferred" }],
      }),
    );
    expect(loop).toEqual([expect.objectContaining({ type: "value_error", loc: ["body"] })]);
    expect(loop[0].msg).toContain("Running an inferred deployment");
  });

  it("validates RunDeployment job variables against the deployment's work pool", async () => {
    const pool = await api("POST", "/work_pools/", {
      name: unique("pool"),
      type: "process",
      base_job_template: {
        job_configuration: { thing_one: "{{ this }}" },
        variables: { properties: { this: { title: "this_one", default: "0", type: "string" } } },
      },
    });
    expect(pool.status).toBe(201);
    const flow = await seedFlow();
    const dep = await seedDeployment(flow.id, { work_queue_id: pool.body.default_queue_id });
    const action = (job_variables: unknown) => ({ type: "run-deployment", source: "selected", deployment_id: dep.id, job_variables });

    const bad = await api("POST", "/automations/", automationBody({ actions: [action({ this: 100 }), action({ this: 100 })] }));
    expect(bad.status).toBe(422);
    expect(bad.body.detail).toMatch(/^Error creating automation: Validation failed for field 'this'\. Failure reason: 100 is not valid under any of the given schemas/);

    const good = await create({ actions: [action({ this: "that" })] });
    const update = { ...automationBody(), name: good.name, actions: [action({ this: 100 })] };
    const rejected = await api("PUT", `/automations/${good.id}`, update);
    expect(rejected.status).toBe(422);
    expect(rejected.body.detail).toContain("Error creating automation: Validation failed for field 'this'");
    expect((await api("PUT", `/automations/${good.id}`, { ...update, actions: [action({ this: null })] })).status).toBe(204);

    const missing = await api("POST", "/automations/", automationBody({ actions: [{ ...action({ a: 1 }), deployment_id: MISSING }] }));
    expect(missing).toMatchObject({ status: 404, body: { detail: "Deployment not found." } });
  });
});

describe("automations: update, patch, delete", () => {
  it("replaces with PUT (fresh trigger ids) and emits prefect.automation.updated", async () => {
    const created = await create();
    const update = automationBody({
      name: created.name,
      enabled: false,
      tags: ["t1"],
      trigger: { type: "compound", require: "all", within: 60, triggers: [eventTrigger({ id: created.trigger.id, threshold: 3 })] },
    });
    expect((await api("PUT", `/automations/${created.id}`, update)).status).toBe(204);
    const read = (await api("GET", `/automations/${created.id}`)).body;
    expect(read).toMatchObject({ enabled: false, tags: ["t1"], trigger: { type: "compound", require: "all" } });
    expect(read.trigger.triggers[0].id).not.toBe(created.trigger.id);
    expect(read.updated >= created.updated).toBe(true);
    expect((await eventsFor(created.id)).map((e) => e.event)).toEqual(["prefect.automation.created", "prefect.automation.updated"]);
    const extra = await api("PUT", `/automations/${created.id}`, { ...update, id: created.id });
    expect(extra.status).toBe(422);
    expect(JSON.stringify(extra.body)).toContain("extra_forbidden");
  });

  it("PUT leaves optional fields that are not sent as they were (exclude_unset)", async () => {
    const created = await create({ tags: ["keep"], description: "kept", actions_on_trigger: [{ type: "do-nothing" }] });
    const update = { name: created.name, trigger: eventTrigger(), actions: [{ type: "cancel-flow-run" }], description: null };
    expect((await api("PUT", `/automations/${created.id}`, update)).status).toBe(204);
    const read = (await api("GET", `/automations/${created.id}`)).body;
    expect(read).toMatchObject({ tags: ["keep"], description: "kept", actions: [{ type: "cancel-flow-run" }], actions_on_trigger: [{ type: "do-nothing" }] });
  });

  it("patches enabled only, keeps the rest, and refuses enabling a looping automation", async () => {
    const created = await create({ tags: ["keep"] });
    expect((await api("PATCH", `/automations/${created.id}`, { enabled: false })).status).toBe(204);
    expect((await api("GET", `/automations/${created.id}`)).body).toMatchObject({ enabled: false, tags: ["keep"] });
    expect((await api("PATCH", `/automations/${created.id}`, { enabled: false, id: created.id })).status).toBe(422);

    const looping = await create({
      enabled: false,
      trigger: eventTrigger({ match: {}, match_related: {}, expect: ["prefect.flow-run.*"], after: [] }),
      actions: [{ type: "run-deployment", source: "inferred" }],
    });
    const res = await api("PATCH", `/automations/${looping.id}`, { enabled: true });
    expect(res.status).toBe(422);
    expect(res.body.exception_message).toBe("Invalid request received.");
    expect(res.body.exception_detail).toHaveLength(1);
    expect(res.body.exception_detail[0]).toMatchObject({ loc: [], type: "value_error" });
    expect(res.body.exception_detail[0].msg).toContain("Running an inferred deployment");
  });

  it("deletes (204, then 404) and emits prefect.automation.deleted", async () => {
    const created = await create();
    expect((await api("DELETE", `/automations/${created.id}`)).status).toBe(204);
    expect((await api("GET", `/automations/${created.id}`)).status).toBe(404);
    expect((await eventsFor(created.id)).map((e) => e.event)).toEqual(["prefect.automation.created", "prefect.automation.deleted"]);
  });
});

describe("automations: filter and count", () => {
  it("filters by name and tags, sorts, pages; 422 on a bad sort or limit", async () => {
    const tag = unique("tag");
    const [a, b, c] = [unique("a"), unique("b"), unique("c")];
    await create({ name: a, tags: [tag, "x"] });
    await create({ name: b, tags: [tag] });
    await create({ name: c, tags: [] });
    const names = async (body: unknown) => (await api("POST", "/automations/filter", body)).body.map((x: any) => x.name);
    expect(await names({ automations: { name: { any_: [a, b, c] } } })).toEqual([a, b, c]);
    expect(await names({ automations: { name: { any_: [a, b, c] } }, sort: "NAME_DESC" })).toEqual([c, b, a]);
    expect(await names({ automations: { name: { any_: [a, b, c] } }, limit: 1, offset: 1 })).toEqual([b]);
    expect(await names({ automations: { tags: { all_: [tag, "x"] } } })).toEqual([a]);
    expect(await names({ automations: { tags: { any_: [tag] } } })).toEqual([a, b]);
    expect(await names({ automations: { name: { any_: [a, b, c] }, tags: { is_null_: true } } })).toEqual([c]);
    expect(await names({ automations: { name: { any_: [unique("none")] } } })).toEqual([]);
    expect((await api("POST", "/automations/filter", { sort: "NOPE" })).status).toBe(422);
    expect((await api("POST", "/automations/filter", { automations: { name: { like_: "x" } } })).status).toBe(422);
    expect((await api("POST", "/automations/filter", { limit: 500 })).body).toEqual({ detail: "Invalid limit: must be less than or equal to 200." });

    const count = await api("POST", "/automations/count");
    expect(count.status).toBe(200);
    expect(count.body).toBeGreaterThanOrEqual(3);
  });
});

describe("automations: related and owned resources", () => {
  it("relates RunDeployment deployments and the owner; deletes only what the owner owns", async () => {
    const owner = `prefect.deployment.${crypto.randomUUID()}`;
    const other = crypto.randomUUID();
    const owned = await create({
      owner_resource: owner,
      actions: [
        { type: "run-deployment", source: "selected", deployment_id: owner.slice("prefect.deployment.".length) },
        { type: "run-deployment", source: "selected", deployment_id: other },
      ],
    });
    const related = await create({ actions: [{ type: "run-deployment", source: "selected", deployment_id: owner.slice("prefect.deployment.".length) }] });
    const unrelated = await create();

    const relatedTo = async (id: string) => (await api("GET", `/automations/related-to/${id}`)).body.map((a: any) => a.id);
    expect(await relatedTo(owner)).toEqual([owned.id, related.id]);
    expect(await relatedTo(`prefect.deployment.${other}`)).toEqual([owned.id]);
    expect(await relatedTo("prefect.deployment.nothing")).toEqual([]);

    // Replacing the actions re-derives the related deployments, but ownership stays.
    const update = automationBody({ name: owned.name, actions: [{ type: "do-nothing" }] });
    expect((await api("PUT", `/automations/${owned.id}`, update)).status).toBe(204);
    expect(await relatedTo(`prefect.deployment.${other}`)).toEqual([]);
    expect(await relatedTo(owner)).toEqual([owned.id, related.id]);

    const res = await api("DELETE", `/automations/owned-by/${owner}`);
    expect(res).toMatchObject({ status: 202, body: null });
    expect(await relatedTo(owner)).toEqual([related.id]);
    expect((await api("GET", `/automations/${owned.id}`)).status).toBe(404);
    expect((await api("GET", `/automations/${related.id}`)).status).toBe(200);
    expect((await api("GET", `/automations/${unrelated.id}`)).status).toBe(200);
  });
});

describe("templates/validate", () => {
  const post = (path: string, template: string) => api("POST", path, template, { "content-type": "text/plain" });

  it("answers 204 for a valid template, on both paths", async () => {
    for (const path of ["/templates/validate", "/automations/templates/validate"]) {
      const res = await post(path, "\n{{ hello }} world!\n{% for x in y %}{{ x | upper }}{% endfor %}\n");
      expect(res.status).toBe(204);
      expect(res.text).toBe("");
    }
    expect((await api("POST", "/templates/validate", JSON.stringify("{{ a }}"), { "content-type": "application/json" })).status).toBe(204);
  });

  it("answers Jinja's error, line and source (422)", async () => {
    const template = "1 - {{ hello }} world!\n2 - oops, this {{ ain't } gonna work\n3 - this is fine";
    const res = await post("/templates/validate", template);
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(res.body).toEqual({ error: { line: 2, message: `unexpected char "'" at 44`, source: template } });

    const unclosed = await post("/templates/validate", "{% for x in y %}\n{{ x }}");
    expect(unclosed.body.error).toEqual({
      line: 2,
      message: "Unexpected end of template. Jinja was looking for the following tags: 'endfor' or 'else'. The innermost block that needs to be closed is 'for'.",
      source: "{% for x in y %}\n{{ x }}",
    });
  });

  it("limits nested loops (line 0)", async () => {
    const template = [
      "{% for i in range(100) %}",
      "    {% for j in range(100) %}",
      "        {% for l in range(100) %}",
      "        {% endfor %}\"",
      "    {% endfor %}\"",
      "{% endfor %}\"",
    ].join("\n");
    const res = await post("/templates/validate", template);
    expect(res.body).toEqual({
      error: { line: 0, message: "Contains nested for loops at a depth of 3. Templates can nest for loops no more than 2 loops deep.", source: template },
    });
  });

  it("a JSON body that is not a string is a 422 validation error", async () => {
    const res = await api("POST", "/templates/validate", { a: 1 });
    expect(res.status).toBe(422);
    expect(res.body.exception_detail[0]).toMatchObject({ type: "string_type", loc: ["body"] });
  });
});
