import { keepAlive } from "../../lib/keep-alive";
import type { Bindings } from "../../env";
import type { StoredEvent } from "../../db/queries/events";
import { databaseOf } from "../../db/client";
import { policiesGeneration, readActivePolicies, type ActivePolicy } from "../../db/queries/notification-policies";
import type { NotificationPolicyMessage } from "./contract";
import { enqueueAutomationMessages } from "./queue";

/**
 * Prefect 2.x flow-run notification policies: a flow run's state change that matches an active
 * policy (its state names, and any of the run's tags; an empty list matches all) queues one
 * NotificationPolicyMessage; the AUTOMATION_ACTIONS consumer sends it through the policy's block.
 *
 * The active policies are cached in the isolate: a policy write here reloads them at once
 * (policiesGeneration), a write through another isolate within POLICIES_TTL_MS. While there
 * are none, state changes cost no query beyond that once-per-TTL check.
 */
export const POLICIES_TTL_MS = 1000;

let cached: { policies: ActivePolicy[]; generation: number; loadedAt: number } | null = null;

/** Loads of the active policies since the isolate started (tests and benchmarks). */
export const policyCacheProbe = { loads: 0 };

async function activePolicies(env: Bindings): Promise<ActivePolicy[]> {
  const generation = policiesGeneration();
  if (cached && cached.generation === generation && Date.now() - cached.loadedAt < POLICIES_TTL_MS) return cached.policies;
  policyCacheProbe.loads++;
  const policies = await readActivePolicies(databaseOf(env));
  cached = { policies, generation, loadedAt: Date.now() };
  return policies;
}

const FLOW_RUN = "prefect.flow-run.";

/** A flow run's state-change event (the server's `prefect.flow-run.<state>` with its state labels). */
const isStateChange = (e: StoredEvent) =>
  e.event.startsWith(FLOW_RUN) && e.resource["prefect.resource.id"]?.startsWith(FLOW_RUN) && e.resource["prefect.state-name"] !== undefined;

function matches(policy: ActivePolicy, e: StoredEvent): boolean {
  const states = policy.state_names ?? [];
  const tags = policy.tags ?? [];
  if (states.length && !states.includes(e.resource["prefect.state-name"])) return false;
  if (!tags.length) return true;
  const runTags = e.related.filter((r) => r["prefect.resource.role"] === "tag").map((r) => r["prefect.resource.id"].slice("prefect.tag.".length));
  return runTags.some((t) => tags.includes(t));
}


/** Queues the notifications the state changes among `events` call for. Never fails the caller. */
export function queueNotificationPolicies(events: StoredEvent[], env: Bindings): void {
  const changes = events.filter(isStateChange);
  if (!changes.length) return;
  const queueing = (async () => {
    const policies = await activePolicies(env);
    if (!policies.length) return;
    const messages: NotificationPolicyMessage[] = [];
    for (const event of changes)
      for (const policy of policies)
        if (matches(policy, event))
          messages.push({ kind: "notification-policy", policy_id: policy.id, flow_run_id: event.resource["prefect.resource.id"].slice(FLOW_RUN.length), event });
    await enqueueAutomationMessages(env, messages);
  })();
  keepAlive(queueing.catch((err) => console.error("notification policies: could not queue notifications", err)));
}
