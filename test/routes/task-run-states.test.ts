import { describe, expect, it } from "vitest";
import { api } from "../helpers";
import { seedFlowRun, seedTaskRun } from "../fixtures/runs";

const MISSING = "00000000-0000-4000-8000-000000000000";

describe("task run states", () => {
  it("GET /task_run_states/?task_run_id= answers the history oldest first", async () => {
    const run = await seedFlowRun();
    const task = await seedTaskRun({
      flow_run_id: run.id,
      states: [
        { type: "PENDING", timestamp: "2030-01-01T00:00:00.000000Z" },
        { type: "RUNNING", timestamp: "2030-01-01T00:00:01.000000Z" },
        { type: "RUNNING", name: "Retrying", timestamp: "2030-01-01T00:00:02.000000Z" },
        { type: "COMPLETED", timestamp: "2030-01-01T00:00:03.000000Z" },
      ],
    });
    const res = await api("GET", `/task_run_states/?task_run_id=${task.id}`);
    expect(res.status).toBe(200);
    expect(res.body.map((s: any) => s.name)).toEqual(["Pending", "Running", "Retrying", "Completed"]);
    expect(res.body[0].state_details).toMatchObject({ flow_run_id: run.id, task_run_id: task.id });
    expect((await api("GET", `/task_run_states/?task_run_id=${MISSING}`)).body).toEqual([]);
    const missing = await api("GET", "/task_run_states/");
    expect(missing.body.exception_detail[0]).toMatchObject({ type: "missing", loc: ["query", "task_run_id"] });
  });

  it("GET /task_run_states/{id} answers one state; the 404 uses Prefect's flow-run wording", async () => {
    const task = await seedTaskRun({ flow_run_id: (await seedFlowRun()).id, states: [{ type: "PENDING" }, { type: "FAILED", message: "boom" }] });
    const res = await api("GET", `/task_run_states/${task.stateIds[1]}`);
    expect(res.body).toMatchObject({ id: task.stateIds[1], type: "FAILED", message: "boom" });
    expect(await api("GET", `/task_run_states/${MISSING}`)).toMatchObject({ status: 404, body: { detail: "Flow run state not found" } });
  });
});
