import { isAxiosError } from "axios";
import type { Router } from "vue-router";

/** Whether an API call failed because what it asked for does not exist. */
export function isNotFoundError(error: unknown): boolean {
  return isAxiosError(error) && error.response?.status === 404;
}

/** Shows the not-found page in place of the current one, keeping its URL (for an id that does not exist). */
export async function showNotFound(router: Router): Promise<void> {
  const { path, query, hash } = router.currentRoute.value;
  await router.replace({ name: "404", params: { pathMatch: path.slice(1).split("/") }, query, hash });
}

/** What `load` answers, or null with the not-found page shown when the API says it does not exist. */
export async function orNotFound<T>(router: Router, load: () => Promise<T>): Promise<T | null> {
  try {
    return await load();
  } catch (error) {
    if (!isNotFoundError(error)) throw error;
    await showNotFound(router);
    return null;
  }
}
