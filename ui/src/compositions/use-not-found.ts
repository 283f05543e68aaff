import { watch } from "vue";
import { useRouter } from "vue-router";
import { isNotFoundError, showNotFound } from "@/router/not-found";

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
