/**
 * The browser test suite's support: `npm run test:ui` (scripts/test-ui.mjs) builds the UI, starts two
 * Workers with fresh local state — UI_BASE_URL (no auth) and UI_AUTH_BASE_URL (basic auth,
 * UI_AUTH_STRING) — and runs every `test/browser/*.test.mjs` one file at a time with node:test.
 * `npm run test:ui -- flows runs` runs only the files whose name contains `flows` or `runs`.
 *
 * Writing `test/browser/<area>.test.mjs`:
 *
 *   import { describe, it } from "node:test";
 *   import assert from "node:assert/strict";
 *   import { seed, useBrowser } from "./support/index.mjs";
 *
 *   const browser = useBrowser();                       // one chromium for this file
 *
 *   describe("flows page", () => {
 *     it("lists the seeded flows", async () => {
 *       const flow = await seed.flow();                 // through the API; unique name
 *       const page = await browser.newPage();           // fresh context, closed after the test
 *       await page.visit("/flows", [flow.name]);        // waits for the texts, then a screenshot
 *       await page.click("Some button");                // a visible link/button/tab reading that
 *       await page.waitForTexts(["Done"]);
 *       page.assertNoProblems();                        // no console error, page error, 4xx/5xx, failed call
 *     });
 *   });
 *
 * - All files share one server (the state persists for the whole run): seed what you need with unique
 *   names (the seeds do), never assume an empty database, and expect others' rows in lists.
 * - `page.page` is puppeteer's Page for anything else (`page.page.type(selector, text)`, `$`, …);
 *   `page.find(text)` answers an element handle; `page.text()` the visible text.
 * - Screenshots land in test/browser/screenshots/ (git-ignored, emptied at each run), named
 *   `<file>-<n>-<path>.png`; a failed wait saves one named FAILED-….
 * - `assertNoProblems({ ignore: (problem) => … })` leaves out problems a test expects (e.g. 401s).
 * - Keep files quick (the whole suite must stay under 3 minutes on 2 cores): one `visit` per page
 *   and seed through the API, not through the UI, unless the UI action is what is tested.
 */
export { launchBrowser, useBrowser } from "./browser.mjs";
export { UiPage, SCREENSHOTS } from "./page.mjs";
export { api, createApi, runScheduledServices, seed, seeds, unique } from "./api.mjs";

/** The servers under test (set by scripts/test-ui.mjs). */
export const servers = {
  get base() {
    return process.env.UI_BASE_URL;
  },
  get authBase() {
    return process.env.UI_AUTH_BASE_URL;
  },
  get authString() {
    return process.env.UI_AUTH_STRING;
  },
};
