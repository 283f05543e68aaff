// Basic auth on (the second Worker, PREFECT_API_AUTH_STRING set): the UI asks for the auth string,
// refuses wrong ones, sends the right one with every call, forgets it on log out; and no data route
// of the API answers without it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createApi, seeds, servers, unique, useBrowser } from "./support/index.mjs";

const browser = useBrowser({ base: servers.authBase });
const expectedHeader = () => `Basic ${Buffer.from(servers.authString).toString("base64")}`;
const is401 = (problem) => problem.status === 401;
const AUTH_INPUT = 'input[name="auth-string"]';
// Where the login page keeps the credentials (ui/src/services/credentials.ts).
const storedCredentials = (page) => page.page.evaluate(() => localStorage.getItem("prefect-edge-credentials"));

async function logIn(page, authString) {
  await page.page.locator(AUTH_INPUT).fill(authString);
  await page.click("Log in", { selector: "button" });
}

describe("with basic auth on", () => {
  it("sends a visitor to the login page, remembering where they were going", async () => {
    const page = await browser.newPage();
    await page.page.goto(page.url("/flows"), { waitUntil: "domcontentloaded" });
    await page.waitForPath("/login");
    await page.waitForTexts(["Log in"]);
    const redirect = await page.page.evaluate(() => new URLSearchParams(location.search).get("redirect"));
    assert.equal(redirect, "/flows");
    assert.equal(await page.page.$(".app-sidebar"), null, "no sidebar before login");
    await page.settle();
    await page.screenshot("login");
    // The credentials check (and whatever the page had asked for) answered 401: nothing else went wrong.
    page.assertNoProblems({ ignore: is401 });
  });

  it("refuses wrong credentials and stays on the login page", async () => {
    const page = await browser.newPage();
    await page.visit("/login", ["Log in"]);
    await logIn(page, "admin:wrong");
    await page.waitForTexts(["These credentials were refused."]);
    await page.waitForPath("/login");
    assert.equal(await storedCredentials(page), null, "refused credentials are not kept");
    await page.screenshot("login refused");
    page.assertNoProblems({ ignore: is401 });
  });

  it("logs in with the right credentials, sends them with every call, and logs out back to the login page", async () => {
    const flow = await seeds(createApi({ base: servers.authBase, authString: servers.authString })).flow({ name: unique("auth-flow") });
    const page = await browser.newPage();
    await page.page.goto(page.url("/flows"), { waitUntil: "domcontentloaded" });
    await page.waitForPath("/login");
    await page.waitForTexts(["Log in"]);
    await page.settle();
    page.assertNoProblems({ ignore: is401 });

    const apiCalls = [];
    page.page.on("request", (request) => {
      if (new URL(request.url()).pathname.startsWith("/api/")) apiCalls.push({ url: request.url(), authorization: request.headers().authorization });
    });
    await logIn(page, servers.authString);
    await page.waitForPath("/flows");
    await page.waitForTexts([flow.name]);
    await page.settle();
    await page.screenshot("logged in");
    page.assertNoProblems();
    assert.ok(apiCalls.length > 0, "the flows page called the API");
    assert.deepEqual(apiCalls.filter((call) => call.authorization !== expectedHeader()), [], "every API call carries the credentials");

    // A reload keeps them (local storage), and the sidebar's dashboard opens.
    await page.visit("/dashboard", ["Dashboard", "Log out"]);
    page.assertNoProblems();

    await page.click("Log out", { selector: ".app-sidebar .p-context-nav-item" });
    await page.waitForPath("/login");
    await page.waitForTexts(["Log in"]);
    assert.equal(await storedCredentials(page), null, "log out forgets the credentials");
    await page.page.goto(page.url("/flows"), { waitUntil: "domcontentloaded" });
    await page.waitForPath("/login");
    await page.settle();
    page.assertNoProblems({ ignore: is401 });
  });

  it("answers no API operation without credentials (but /ui-settings, health, and the UI's files)", async () => {
    const spec = await createApi({ base: servers.authBase, authString: servers.authString }).get("/openapi.json");
    const id = "00000000-0000-4000-8000-000000000000";
    const open = new Set(["GET /health", "GET /ready"]);
    const operations = Object.entries(spec.paths).flatMap(([template, methods]) =>
      Object.keys(methods)
        .filter((method) => ["get", "post", "put", "patch", "delete"].includes(method))
        .map((method) => ({ verb: method.toUpperCase(), template })),
    );
    assert.ok(operations.length > 100, "the schema lists the API's operations");
    const answered = [];
    const ask = async ({ verb, template }) => {
      const response = await fetch(`${servers.authBase}/api${template.replace(/\{[^}]+\}/g, id)}`, {
        method: verb,
        headers: { "content-type": "application/json" },
        body: verb === "GET" || verb === "DELETE" ? undefined : "{}",
      });
      await response.arrayBuffer();
      const expected = open.has(`${verb} ${template}`) ? 200 : 401;
      if (response.status !== expected) answered.push(`${verb} ${template}: ${response.status} (expected ${expected})`);
    };
    for (let i = 0; i < operations.length; i += 8) await Promise.all(operations.slice(i, i + 8).map(ask));
    assert.deepEqual(answered.sort(), []);

    const settings = await fetch(`${servers.authBase}/ui-settings`);
    assert.equal(settings.status, 200);
    assert.equal((await settings.json()).auth, "BASIC");
    const index = await fetch(`${servers.authBase}/`);
    assert.equal(index.status, 200);
    const html = await index.text();
    const script = html.match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
    assert.ok(script, "index.html loads the app's script");
    assert.equal((await fetch(`${servers.authBase}${script}`)).status, 200);
  });
});
