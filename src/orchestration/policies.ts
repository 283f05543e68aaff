import type { FlowContext, TaskContext } from "./context";
import type { Policy } from "./engine";
import { CopyScheduledTime, PreventPendingTransitions, RenameReruns, WaitForScheduledTime } from "./rules/common";
import {
  BypassCancellingFlowRunsWithNoInfra,
  EnforceCancellingToCancelledTransition,
  EnsureOnlyScheduledFlowsMarkedLate,
  HandleFlowTerminalStateTransitions,
  PreserveDeploymentConcurrencyLeaseId,
  PreventDuplicateTransitions,
  PreventResultDataLoss,
} from "./rules/flow-transitions";
import { HandlePausingFlows, HandleResumingPausedFlows } from "./rules/flow-pause";
import { RetryFailedFlows } from "./rules/flow-retries";
import {
  EnforceDeploymentConcurrencyOnLate,
  RecordWorkQueueSlots,
  ReleaseFlowConcurrencySlots,
  ReleaseWorkQueueSlots,
  RemoveDeploymentConcurrencyLeaseForOldClientVersions,
  SecureFlowConcurrencySlots,
  SecureWorkQueueSlots,
  ValidateDeploymentConcurrencyAtRunning,
} from "./rules/flow-concurrency";
import { InstrumentFlowRunStateTransitions } from "./rules/flow-instrument";
import {
  HandleTaskTerminalStateTransitions,
  PreventRunningTasksFromStoppedFlows,
  ReleaseTaskConcurrencySlots,
  RetryFailedTasks,
  SecureTaskConcurrencySlots,
  UpdateFlowRunTrackerOnTasks,
} from "./rules/task-rules";
import { CacheInsertion, CacheRetrieval } from "./rules/task-cache";

/** Prefect's CoreFlowPolicy, in its order, with the work-queue slot rules beside the deployment ones. */
export const CoreFlowPolicy: Policy<FlowContext> = [
  PreserveDeploymentConcurrencyLeaseId,
  PreventDuplicateTransitions,
  HandleFlowTerminalStateTransitions,
  EnforceCancellingToCancelledTransition,
  BypassCancellingFlowRunsWithNoInfra,
  PreventPendingTransitions,
  ValidateDeploymentConcurrencyAtRunning,
  SecureFlowConcurrencySlots,
  SecureWorkQueueSlots,
  RemoveDeploymentConcurrencyLeaseForOldClientVersions,
  EnsureOnlyScheduledFlowsMarkedLate,
  HandlePausingFlows,
  HandleResumingPausedFlows,
  CopyScheduledTime,
  WaitForScheduledTime,
  RetryFailedFlows,
  InstrumentFlowRunStateTransitions,
  ReleaseFlowConcurrencySlots,
  ReleaseWorkQueueSlots,
];

/** What `force=true` still applies to a flow run. */
export const MinimalFlowPolicy: Policy<FlowContext> = [
  PreventResultDataLoss,
  BypassCancellingFlowRunsWithNoInfra,
  RecordWorkQueueSlots,
  InstrumentFlowRunStateTransitions,
  ReleaseFlowConcurrencySlots,
  ReleaseWorkQueueSlots,
];

/** What the late-runs service applies when it marks a scheduled run Late. */
export const MarkLateRunsPolicy: Policy<FlowContext> = [
  EnsureOnlyScheduledFlowsMarkedLate,
  EnforceDeploymentConcurrencyOnLate,
  InstrumentFlowRunStateTransitions,
];

export const CoreTaskPolicy: Policy<TaskContext> = [
  CacheRetrieval,
  HandleTaskTerminalStateTransitions,
  PreventRunningTasksFromStoppedFlows,
  SecureTaskConcurrencySlots,
  CopyScheduledTime,
  WaitForScheduledTime,
  RetryFailedTasks,
  RenameReruns,
  UpdateFlowRunTrackerOnTasks,
  CacheInsertion,
  ReleaseTaskConcurrencySlots,
];

export const MinimalTaskPolicy: Policy<TaskContext> = [ReleaseTaskConcurrencySlots];

export { GlobalFlowPolicy, GlobalTaskPolicy } from "./global";
