import { httpStatus, useWorkspaceApi, type Deployment } from "@prefecthq/prefect-ui-library";
import { useSubscription, type SubscriptionOptions } from "@prefecthq/vue-compositions";
import { computed, type ComputedRef, type Ref } from "vue";
import { useNotFoundWhen } from "@/compositions/use-not-found";

/**
 * The deployment the page's address names, or the not-found page. Read through the filter: the
 * library's `getDeployment` never settles for an unknown id (its batcher loses the rejection of a
 * single-id lookup), so a missing deployment would leave the page blank.
 */
export function useRunsDeployment(deploymentId: Ref<string>, options?: SubscriptionOptions) {
  const api = useWorkspaceApi();
  const subscription = useSubscription(
    (id: string) => api.deployments.getDeployments({ deployments: { id: [id] } }),
    [deploymentId],
    options,
  );
  const deployment: ComputedRef<Deployment | undefined> = computed(() => subscription.response?.[0]);

  // No such deployment: an empty answer, or a 422 for an id that is no UUID.
  useNotFoundWhen(
    () =>
      (subscription.executed && subscription.response?.length === 0) ||
      (Boolean(subscription.error) && httpStatus(subscription.error).isInRange("clientError")),
  );

  return { deployment, subscription };
}
