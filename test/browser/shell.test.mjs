// The app shell: sidebar navigation, the not-found page, /ui-settings, and the Worker's own pages
// (/api/docs) reached in a browser past the UI's single-page fallback.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useBrowser } from "./support/index.mjs";

const browser = useBrowser();

// Each sidebar entry and the path it leads to (the library's route paths).
const SIDEBAR = [
  ["Dashboard", "/dashboard"],
  ["Runs", "/runs"],
  ["Flows", "/flows"],
  ["Deployments", "/deployments"],
  ["Work Pools", "/work-pools"],
  ["Blocks", "/blocks"],
  ["Variables", "/variables"],
  ["Automations", "/automations"],
  ["Event Feed", "/events"],
  ["Concurrency", "/concurrency-limits"],
  ["Artifacts", "/artifacts"],
  ["Settings", "/settings"],
];

describe("app shell", () => {
  it("opens on the dashboard, and each sidebar link shows its page without an error or a failed call", async () => {
    const page = await browser.newPage();
    await page.visit("/", ["Dashboard", "Flows", "Settings"]);
    await page.waitForPath("/dashboard");
    for (const [title, path] of SIDEBAR) {
      await page.click(title, { selector: ".app-sidebar .p-context-nav-item" });
      await page.waitForPath(path);
      // The page rendered something of its own in the shell's page area, and not the not-found page.
      await page.page.waitForFunction(() => (document.querySelector(".app-shell__page")?.innerText.trim().length ?? 0) > 0, { polling: 100 });
      await page.settle();
      assert.doesNotMatch(await page.text(), /Page not found/, `${title} (${path})`);
      await page.screenshot(`sidebar ${title}`);
      page.assertNoProblems();
    }
  });

  it("shows the not-found page at an unknown path, with a way back to the dashboard", async () => {
    const page = await browser.newPage();
    const response = await page.page.goto(page.url("/no/such/page?x=1"), { waitUntil: "domcontentloaded" });
    assert.equal(response.status(), 200, "the single-page fallback serves the app");
    await page.waitForTexts(["Page not found", "/no/such/page?x=1"]);
    await page.screenshot("not found");
    await page.click("Go to the dashboard");
    await page.waitForPath("/dashboard");
    await page.settle();
    page.assertNoProblems();
  });

  it("reads /ui-settings before anything else, and the browser can read it as Prefect's server answers it", async () => {
    const page = await browser.newPage();
    const settingsCalls = [];
    page.page.on("response", (response) => {
      if (new URL(response.url()).pathname === "/ui-settings") settingsCalls.push(response.status());
    });
    await page.visit("/flows", ["Flows"]);
    assert.deepEqual(settingsCalls, [200]);
    const settings = await page.page.evaluate(async () => (await fetch("/ui-settings")).json());
    assert.deepEqual(settings, {
      api_url: `${page.base}/api`,
      csrf_enabled: false,
      auth: null,
      flags: [],
      default_ui: "v1",
      available_uis: ["v1"],
      v1_base_url: "/",
      v2_base_url: null,
    });
    page.assertNoProblems();
  });

  it("opens the Worker's API docs at /api/docs (not the UI), pointing Swagger UI at the served OpenAPI schema", async () => {
    const page = await browser.newPage();
    const response = await page.page.goto(page.url("/api/docs"), { waitUntil: "domcontentloaded" });
    assert.equal(response.status(), 200);
    const docs = await page.page.evaluate(() => ({
      isTheUi: Boolean(document.querySelector("#app")),
      swaggerMount: Boolean(document.querySelector("#swagger")),
      scripts: [...document.scripts].map((script) => script.src || script.textContent),
    }));
    assert.equal(docs.isTheUi, false, "/api/docs answered the UI's index.html");
    assert.ok(docs.swaggerMount, "the Swagger UI mount point");
    const specUrl = docs.scripts.join("\n").match(/url:\s*"([^"]+)"/)?.[1];
    assert.equal(specUrl, "/api/openapi.json");
    const spec = await page.page.evaluate(async (url) => (await fetch(url)).json(), specUrl);
    assert.match(spec.openapi, /^3\./);
    assert.ok(Object.keys(spec.paths).length > 100, "the schema lists the API's operations");
    // Swagger UI itself comes from a CDN: where that is reachable, it renders the schema.
    const swaggerLoaded = await page.page.evaluate(() => typeof globalThis.SwaggerUIBundle === "function");
    if (swaggerLoaded) await page.waitForTexts(["/api/openapi.json"]);
    await page.screenshot("api docs");
    page.assertNoProblems({ ignore: (problem) => !swaggerLoaded && /SwaggerUIBundle/.test(problem.text) });
  });

  it("reloads into the new build when a page's chunk is gone after a redeploy (the fallback answers it with index.html)", async () => {
    const page = await browser.newPage();
    await page.visit("/dashboard", ["Dashboard"]);
    const chunkRequests = [];
    await page.page.setRequestInterception(true);
    page.page.on("request", (request) => {
      if (request.isInterceptResolutionHandled()) return;
      const { pathname } = new URL(request.url());
      if (!/^\/assets\/Variables-[^/]+\.js$/.test(pathname)) return void request.continue();
      chunkRequests.push(pathname);
      if (chunkRequests.length > 1) return void request.continue();
      // What the asset router answers for a file the new build no longer has.
      return void request.respond({ status: 200, contentType: "text/html", body: "<!doctype html><div id=app></div>" });
    });
    await page.click("Variables", { selector: ".app-sidebar .p-context-nav-item" });
    await page.waitForPath("/variables");
    await page.waitForTexts(["Variables"]);
    assert.equal(chunkRequests.length, 2, "the page's chunk, refused once, then loaded after the reload");
    assert.equal(await page.page.evaluate(() => performance.getEntriesByType("navigation")[0]?.type), "navigate");
    // The browser reports the refused module script itself; nothing else may go wrong.
    page.assertNoProblems({ ignore: (problem) => /MIME type|dynamically imported module/.test(problem.text) });
  });

  it("ships the license of every package its bundle contains, and of the fonts its styles embed", async () => {
    const page = await browser.newPage();
    const response = await fetch(page.url("/THIRD_PARTY_LICENSES.txt"));
    assert.equal(response.status, 200);
    const notices = await response.text();
    for (const name of ["vue", "vue-router", "axios", "d3", "pixi.js", "date-fns", "dompurify", "highlight.js", "marked", "@prefecthq/prefect-ui-library", "@prefecthq/prefect-design", "@prefecthq/graphs"])
      assert.match(notices, new RegExp(`^${name.replace(/[.]/g, "\\.")}@\\d`, "m"), name);
    assert.match(notices, /^@fontsource-variable\/inter@.* — OFL-1\.1$/m);
    assert.match(notices, /SIL OPEN FONT LICENSE/i);
  });
});
