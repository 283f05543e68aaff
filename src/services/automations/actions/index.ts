import { doNothing } from "./do-nothing";
import { pauseDeployment, resumeDeployment } from "./deployments";
import { runDeployment } from "./run-deployment";
import { cancelFlowRun, changeFlowRunState, deleteFlowRun, resumeFlowRun, suspendFlowRun } from "./flow-runs";
import { pauseWorkQueue, resumeWorkQueue } from "./work-queues";
import { pauseWorkPool, resumeWorkPool } from "./work-pools";
import { pauseAutomation, resumeAutomation } from "./automations";
import { callWebhook, sendNotification } from "./notifications";
import type { ActionHandler } from "./types";

export { ActionFailed, type ActionRun, type ActionHandler } from "./types";
export { automationApi, type InternalApi } from "./api-client";
export { RetryableAnswer } from "./responses";

/** Every action of Prefect OSS 3.8.3's server, by its `type`. */
export const ACTIONS: Record<string, ActionHandler> = {
  "do-nothing": doNothing,
  "run-deployment": runDeployment,
  "pause-deployment": pauseDeployment,
  "resume-deployment": resumeDeployment,
  "cancel-flow-run": cancelFlowRun,
  "suspend-flow-run": suspendFlowRun,
  "resume-flow-run": resumeFlowRun,
  "change-flow-run-state": changeFlowRunState,
  "delete-flow-run": deleteFlowRun,
  "pause-work-queue": pauseWorkQueue,
  "resume-work-queue": resumeWorkQueue,
  "pause-work-pool": pauseWorkPool,
  "resume-work-pool": resumeWorkPool,
  "pause-automation": pauseAutomation,
  "resume-automation": resumeAutomation,
  "send-notification": sendNotification,
  "call-webhook": callWebhook,
};
