import { isAxiosError } from "axios";
import { watch } from "vue";
import { useRouter, type Router } from "vue-router";

/** Whether an API call failed because what it asked for does not exist. */
export function isNotFoundError(error: unknown): boolean {
  return isAxiosError(error) && error.response?.status === 404;
}

/**
 * Shows the app's not-found page, at the same URL, once `missing()` is true: a page for an id or
 * name that does not exist says so instead of staying blank.
 */
export function useNotFoundWhen(missing: () => boolean): void {
  const router = useRouter();
  watch(missing, (isMissing) => isMissing && void showNotFound(router), { immediate: true });
}

/** useNotFoundWhen for a subscription whose error is the API's 404. */
export function useNotFoundOn(error: () => unknown): void {
  useNotFoundWhen(() => isNotFoundError(error()));
}

export function showNotFound(router: Router): Promise<unknown> {
  const { path, query, hash } = router.currentRoute.value;
  return router.replace({ name: "404", params: { pathMatch: path.slice(1).split("/") }, query, hash });
}
