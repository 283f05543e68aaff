import type { Router } from "vue-router";

/**
 * After a redeploy, a tab opened on the previous build asks for page chunks that no longer exist;
 * the asset router's single-page-app fallback answers them with index.html, so the page's import
 * fails. Loading the page the visitor was going to fetches the new build. At most once a minute,
 * so a chunk that is really broken shows its error instead of reloading forever.
 */
const RELOADED_AT = "prefect-edge:stale-build-reload";
const ONCE_PER_MS = 60_000;
// Chromium, WebKit and Firefox's words for a module import that failed.
const IMPORT_FAILED = /dynamically imported module|Importing a module script failed|module script/i;

export function reloadOnStaleBuild(router: Router): void {
  router.onError((error: unknown, to) => {
    if (!(error instanceof Error) || !IMPORT_FAILED.test(error.message)) return;
    if (Date.now() - Number(sessionStorage.getItem(RELOADED_AT) ?? 0) < ONCE_PER_MS) return;
    sessionStorage.setItem(RELOADED_AT, String(Date.now()));
    window.location.assign(router.resolve(to).href);
  });
}
