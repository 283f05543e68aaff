import { describe, expect, it } from "vitest";
import { CoreFlowPolicy, CoreTaskPolicy, GlobalFlowPolicy, GlobalTaskPolicy, MinimalFlowPolicy, MinimalTaskPolicy } from "../../../src/orchestration/policies";
import { at, FakeSlotGate, flowContext, flowRunIn, NOW, run, stateOf, taskContext } from "./support";

/** Prefect's policies (src/prefect/server/orchestration/core_policy.py, global_policy.py), by name. */
const PREFECT = {
  CoreFlowPolicy: [
    "PreserveDeploymentConcurrencyLeaseId",
    "PreventDuplicateTransitions",
    "HandleFlowTerminalStateTransitions",
    "EnforceCancellingToCancelledTransition",
    "BypassCancellingFlowRunsWithNoInfra",
    "PreventPendingTransitions",
    "ValidateDeploymentConcurrencyAtRunning",
    "SecureFlowConcurrencySlots",
    "RemoveDeploymentConcurrencyLeaseForOldClientVersions",
    "EnsureOnlyScheduledFlowsMarkedLate",
    "HandlePausingFlows",
    "HandleResumingPausedFlows",
    "CopyScheduledTime",
    "WaitForScheduledTime",
    "RetryFailedFlows",
    "InstrumentFlowRunStateTransitions",
    "ReleaseFlowConcurrencySlots",
  ],
  MinimalFlowPolicy: ["PreventResultDataLoss", "BypassCancellingFlowRunsWithNoInfra", "InstrumentFlowRunStateTransitions", "ReleaseFlowConcurrencySlots"],
  CoreTaskPolicy: [
    "CacheRetrieval",
    "HandleTaskTerminalStateTransitions",
    "PreventRunningTasksFromStoppedFlows",
    "SecureTaskConcurrencySlots",
    "CopyScheduledTime",
    "WaitForScheduledTime",
    "RetryFailedTasks",
    "RenameReruns",
    "UpdateFlowRunTrackerOnTasks",
    "CacheInsertion",
    "ReleaseTaskConcurrencySlots",
  ],
  MinimalTaskPolicy: ["ReleaseTaskConcurrencySlots"],
  GlobalFlowPolicy: [
    "EnsureFlowRunStateTimestampIsUnique",
    "SetRunStateType",
    "SetRunStateName",
    "SetRunStateTimestamp",
    "SetStartTime",
    "SetEndTime",
    "IncrementRunTime",
    "SetExpectedStartTime",
    "SetNextScheduledStartTime",
    "UpdateStateDetails",
    "UpdateSubflowParentTask",
    "UpdateSubflowStateDetails",
    "IncrementFlowRunCount",
    "RemoveResumingIndicator",
  ],
  GlobalTaskPolicy: [
    "SetRunStateType",
    "SetRunStateName",
    "SetRunStateTimestamp",
    "SetStartTime",
    "SetEndTime",
    "IncrementRunTime",
    "SetExpectedStartTime",
    "SetNextScheduledStartTime",
    "UpdateStateDetails",
    "IncrementTaskRunCount",
  ],
};

/** Our additions, which hold work-queue / work-pool limits (Prefect has no such ledger). */
const WORK_QUEUE_RULES = new Set(["SecureWorkQueueSlots", "RecordWorkQueueSlots", "ReleaseWorkQueueSlots"]);

const names = (policy: readonly { name: string }[]) => policy.map((e) => e.name);
const prefectPart = (policy: readonly { name: string }[]) => names(policy).filter((n) => !WORK_QUEUE_RULES.has(n));

describe("policies list Prefect's rules in Prefect's order", () => {
  it("CoreFlowPolicy", () => {
    expect(prefectPart(CoreFlowPolicy)).toEqual(PREFECT.CoreFlowPolicy);
  });

  it("CoreFlowPolicy secures work-queue slots right after the deployment slots, and releases them last", () => {
    const n = names(CoreFlowPolicy);
    expect(n.indexOf("SecureWorkQueueSlots")).toBe(n.indexOf("SecureFlowConcurrencySlots") + 1);
    expect(n.at(-1)).toBe("ReleaseWorkQueueSlots");
  });

  it("MinimalFlowPolicy (forced transitions)", () => {
    expect(prefectPart(MinimalFlowPolicy)).toEqual(PREFECT.MinimalFlowPolicy);
    expect(names(MinimalFlowPolicy)).toContain("RecordWorkQueueSlots");
    expect(names(MinimalFlowPolicy)).toContain("ReleaseWorkQueueSlots");
  });

  it("CoreTaskPolicy", () => {
    expect(names(CoreTaskPolicy)).toEqual(PREFECT.CoreTaskPolicy);
  });

  it("MinimalTaskPolicy", () => {
    expect(names(MinimalTaskPolicy)).toEqual(PREFECT.MinimalTaskPolicy);
  });

  it("GlobalFlowPolicy", () => {
    expect(names(GlobalFlowPolicy)).toEqual(PREFECT.GlobalFlowPolicy);
  });

  // By design, task runs' states are kept in strict timestamp order too (Prefect applies the
  // timestamp-uniqueness transform to flow runs only).
  it("GlobalTaskPolicy is Prefect's apart from the leading timestamp transform", () => {
    expect(names(GlobalTaskPolicy).slice(1)).toEqual(PREFECT.GlobalTaskPolicy);
  });

  it("every policy entry is a rule (FROM/TO sets) or a universal transform", () => {
    for (const policy of [CoreFlowPolicy, MinimalFlowPolicy, CoreTaskPolicy, MinimalTaskPolicy, GlobalFlowPolicy, GlobalTaskPolicy])
      for (const entry of policy) {
        if ("universal" in entry) expect(entry.universal, entry.name).toBe(true);
        else expect(entry.from instanceof Set && entry.to instanceof Set, entry.name).toBe(true);
      }
  });
});

describe("the core policies end to end", () => {
  it("a flow run's first attempt: SCHEDULED → PENDING → RUNNING → COMPLETED", async () => {
    const scheduled = stateOf("SCHEDULED", { timestamp: at(-120), details: { scheduled_time: at(-60) } });
    const toPending = flowContext({ initial: scheduled, proposed: "PENDING" });
    const pending = await run(toPending, CoreFlowPolicy, GlobalFlowPolicy);
    expect(pending.status).toBe("ACCEPT");
    expect(pending.state!.state_details.scheduled_time).toBe(at(-60));

    const toRunning = flowContext({ initial: pending.state!, proposed: stateOf("RUNNING", { timestamp: at(1) }), now: at(1), run: toPending.run });
    const running = await run(toRunning, CoreFlowPolicy, GlobalFlowPolicy);
    expect(running.status).toBe("ACCEPT");
    expect(toRunning.run.run_count).toBe(1);
    expect(running.state!.name).toBe("Running");

    const toDone = flowContext({ initial: running.state!, proposed: stateOf("COMPLETED", { timestamp: at(11) }), now: at(11), run: toRunning.run });
    const done = await run(toDone, CoreFlowPolicy, GlobalFlowPolicy);
    expect(done.status).toBe("ACCEPT");
    expect(toDone.run).toMatchObject({ state_type: "COMPLETED", start_time: at(1), end_time: at(11), total_run_time: 10 });
    expect(toDone.effects.events.map((e) => e.event)).toEqual(["prefect.flow-run.Completed"]);
  });

  it("a failing flow run with retries left is rescheduled as AwaitingRetry", async () => {
    const ctx = flowContext({ initial: stateOf("RUNNING", { timestamp: at(-5) }), proposed: "FAILED", run: { run_count: 1, empirical_policy: { retries: 1, retry_delay: 30 } } });
    const result = await run(ctx, CoreFlowPolicy, GlobalFlowPolicy);
    expect(result.state).toMatchObject({ type: "SCHEDULED", name: "AwaitingRetry" });
    expect(ctx.run).toMatchObject({ state_type: "SCHEDULED", state_name: "AwaitingRetry", next_scheduled_start_time: at(30), end_time: null, total_run_time: 5 });
    expect(ctx.run.empirical_policy.retry_type).toBe("in_process");
  });

  it("a forced flow transition skips the core rules but keeps the bookkeeping", async () => {
    const ctx = flowContext({ initial: stateOf("CANCELLING", { timestamp: at(-5) }), proposed: "RUNNING", surroundings: { slots: new FakeSlotGate(false) } });
    const result = await run(ctx, MinimalFlowPolicy, GlobalFlowPolicy);
    expect(result.status).toBe("ACCEPT");
    expect(ctx.run.state_type).toBe("RUNNING");
    expect(ctx.effects.events).toHaveLength(1);
  });

  it("a task rerun after its flow run retried: Retrying, run count restarted, tracker updated", async () => {
    const flowRun = flowRunIn("RUNNING", { run_count: 2 });
    const ctx = taskContext({ flowRun, initial: stateOf("FAILED", { timestamp: at(-30) }), proposed: "RUNNING", run: { run_count: 1, flow_run_run_count: 1 } });
    const result = await run(ctx, CoreTaskPolicy, GlobalTaskPolicy);
    expect(result.status).toBe("ACCEPT");
    expect(result.state!.name).toBe("Retrying");
    expect(ctx.run).toMatchObject({ run_count: 1, flow_run_run_count: 2, end_time: null, state_type: "RUNNING" });
  });

  it("a cached task never runs: the cache wins over the stopped-flow check", async () => {
    const cached = stateOf("COMPLETED", { timestamp: at(-600), details: { cache_key: "k" } });
    const ctx = taskContext({ flowRun: flowRunIn("COMPLETED"), initial: "PENDING", proposed: stateOf("RUNNING", { details: { cache_key: "k" } }), cache: { k: cached } });
    const result = await run(ctx, CoreTaskPolicy, GlobalTaskPolicy);
    expect(result.status).toBe("REJECT");
    expect(result.state).toMatchObject({ type: "COMPLETED", name: "Cached", timestamp: NOW });
    expect(ctx.run.run_count).toBe(0);
  });
});
