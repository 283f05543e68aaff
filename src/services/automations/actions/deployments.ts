import { expectSuccess } from "./responses";
import { selectedOrInferred, target } from "./inference";
import type { ActionHandler, ActionRun } from "./types";

/** The deployment a deployment action targets (selected or inferred), related as its `target`. */
export function targetDeployment(run: ActionRun): string {
  const id = selectedOrInferred(run, "deployment_id", "deployment", "deployment");
  run.related.push(target(`prefect.deployment.${id}`));
  return id;
}

const deploymentCommand =
  (command: "pause_deployment" | "resume_deployment"): ActionHandler =>
  async (run) => {
    const id = targetDeployment(run);
    expectSuccess(run, await run.api("POST", `/deployments/${id}/${command}`));
  };

/** pause-deployment / resume-deployment. */
export const pauseDeployment = deploymentCommand("pause_deployment");
export const resumeDeployment = deploymentCommand("resume_deployment");
