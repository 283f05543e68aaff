// Work pools and queues, blocks and their catalog, variables, concurrency limits, artifacts and the
// settings page: each page shows what was seeded through the API without a console error or a failed
// call, its forms create what they say (read back through the API), and a missing id or name shows
// the not-found page.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { api, seed, unique, useBrowser } from "./support/index.mjs";

const browser = useBrowser();

/** Types `value` into the input (or textarea) of the form field labelled `label`. */
async function fill(ui, label, value) {
  const input = await ui.page.waitForFunction(
    (wanted) => {
      for (const field of document.querySelectorAll(".p-label")) {
        const text = field.querySelector(".p-label__label")?.textContent?.trim();
        if (text === wanted) return field.querySelector("input, textarea");
      }
      return null;
    },
    { polling: 100 },
    label,
  );
  await input.click({ count: 3 });
  await input.type(String(value));
  await input.dispose();
}

/** Types into the code editor (JSON input) inside `scope`. */
async function typeCode(ui, scope, text) {
  await ui.page.locator(`${scope} .p-code-input textarea, ${scope} .p-code-input [contenteditable]`).click();
  await ui.page.keyboard.type(text);
}

/** Polls `read` (an API call) until `check` holds for its answer; answers the last answer. */
async function eventually(read, check, { timeout = 10_000 } = {}) {
  const until = Date.now() + timeout;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("work pools", () => {
  let pool;
  let queue;
  let run;
  let deployment;
  const worker = unique("worker");

  before(async () => {
    ({ pool, queue } = await seed.workPool());
    deployment = await seed.deployment({ work_pool_name: pool.name, work_queue_name: queue.name, schedules: [] });
    run = await api.post(`/deployments/${deployment.id}/create_flow_run`, { name: unique("pool-run") });
    await api.post(`/work_pools/${pool.name}/workers/heartbeat`, { name: worker });
  });

  it("lists the pools; a pool's runs, workers, deployments and queues; pause and resume; a queue; the edit forms", async () => {
    const ui = await browser.newPage();
    await ui.visit("/work-pools", [pool.name]);
    await ui.click(pool.name);
    await ui.waitForTexts(["Process", run.name]);
    assert.match(await ui.page.title(), new RegExp(`Work Pool: ${pool.name}`));
    await ui.click("Workers", { selector: ".p-tab" });
    await ui.waitForTexts([worker]);
    await ui.click("Deployments", { selector: ".p-tab" });
    await ui.waitForTexts([deployment.name]);

    const toggle = ".page-heading .p-toggle";
    await ui.page.click(toggle);
    const paused = await eventually(() => api.get(`/work_pools/${pool.name}`), (p) => p.is_paused);
    assert.equal(paused.is_paused, true);
    await ui.waitForTexts(["Paused"]);
    await ui.page.click(toggle);
    const resumed = await eventually(() => api.get(`/work_pools/${pool.name}`), (p) => !p.is_paused);
    assert.equal(resumed.is_paused, false);

    await ui.click("Work Queues", { selector: ".p-tab" });
    await ui.waitForTexts([queue.name, "default"]);
    await ui.click(queue.name);
    await ui.waitForTexts([`--work-queue "${queue.name}"`, run.name]);
    await ui.visit(`/work-pools/work-pool/${pool.name}/queue/${queue.name}/edit`, [queue.name, "Priority", "Save"]);
    await ui.visit(`/work-pools/work-pool/${pool.name}/edit`, [pool.name, "Base Job Template", "Save"]);
    ui.assertNoProblems();
  });

  it("creates a pool through the wizard, then a queue through its form", async () => {
    const name = unique("ui-pool");
    const ui = await browser.newPage();
    await ui.visit("/work-pools/create", ["Infrastructure Type", "Process"]);
    await ui.click(/^Process\b/, { selector: "label" });
    await fill(ui, "Name", name);
    await ui.click("Next");
    await ui.waitForTexts(["Base Job Template"]);
    await ui.click("Create");
    await ui.waitForPath(`/work-pools/work-pool/${name}`);
    const created = await api.get(`/work_pools/${name}`);
    assert.equal(created.type, "process");
    assert.ok(created.base_job_template.job_configuration, "the process worker's default job template");

    const queueName = unique("ui-queue");
    await ui.click("Work Queues", { selector: ".p-tab" });
    await ui.page.click(`a[href="/work-pools/work-pool/${name}/queue/create"]`);
    await ui.waitForPath(`/work-pools/work-pool/${name}/queue/create`);
    await fill(ui, "Name", queueName);
    await fill(ui, "Priority", 7);
    await ui.click("Create");
    await ui.waitForPath(`/work-pools/work-pool/${name}/queue/${queueName}`);
    assert.equal((await api.get(`/work_pools/${name}/queues/${queueName}`)).priority, 7);
    await ui.settle();
    ui.assertNoProblems();
  });
});

describe("blocks", () => {
  let block;

  before(async () => {
    block = await seed.blockDocument({ data: { value: { seeded: "by the resources test" } } });
  });

  it("lists the blocks, shows one and its edit form", async () => {
    const ui = await browser.newPage();
    await ui.visit("/blocks", [block.name]);
    await ui.click(block.name);
    await ui.waitForPath(`/blocks/block/${block.id}`);
    await ui.waitForTexts(["JSON", `JSON.load("${block.name}")`]);
    await ui.visit(`/blocks/block/${block.id}/edit`, [block.name, "Block names are not editable", "Save"]);
    ui.assertNoProblems();
  });

  it("creates a block from the catalog: its list, a block type, the type's form", async () => {
    const name = unique("ui-block");
    const ui = await browser.newPage();
    await ui.visit("/blocks/catalog", ["Secret", "JSON", "Date Time"]);
    await ui.page.click('a[href="/blocks/catalog/json"]');
    await ui.waitForPath("/blocks/catalog/json");
    await ui.click("Create");
    await ui.waitForPath("/blocks/catalog/json/create");
    await fill(ui, "Block Name", name);
    await typeCode(ui, ".block-schema-create-form", '{"made": "in the browser"}');
    await ui.click("Create", { selector: "button" });
    await ui.waitForTexts([name, `JSON.load("${name}")`]);
    const [created] = await api.post("/block_documents/filter", { block_documents: { name: { any_: [name] } } });
    assert.deepEqual(created.data, { value: { made: "in the browser" } });
    await ui.waitForPath(`/blocks/block/${created.id}`);
    await ui.settle();
    ui.assertNoProblems();
  });
});

describe("variables", () => {
  it("lists the variables and creates one through the modal", async () => {
    const seeded = await seed.variable({ value: "seeded value" });
    const ui = await browser.newPage();
    await ui.visit("/variables", [seeded.name]);
    await ui.page.click(".page-heading button");
    const name = unique("ui_var").replace(/-/g, "_");
    // The modal checks that the name is free (a second after the last keystroke) and waits for that
    // before it creates: 404 means free.
    const nameChecked = ui.page.waitForResponse((response) => response.url().endsWith(`/api/variables/name/${name}`));
    await fill(ui, "Name", name);
    await typeCode(ui, ".p-modal", '{"answer": 42}');
    await nameChecked;
    await ui.click("Create", { selector: ".p-modal button" });
    await ui.waitForTexts([name]);
    assert.deepEqual((await api.get(`/variables/name/${name}`)).value, { answer: 42 });
    await ui.settle();
    ui.assertNoProblems({ ignore: (problem) => problem.status === 404 && problem.url.includes("/api/variables/name/ui_var") });
  });
});

describe("concurrency limits", () => {
  let global;
  let tagLimit;
  let holder;

  before(async () => {
    global = await seed.globalConcurrencyLimit();
    tagLimit = await seed.tagConcurrencyLimit();
    // A running task run holding one of the tag's slots (as a client's task does before it runs).
    holder = await seed.taskRun({ tags: [tagLimit.tag], states: ["PENDING", "RUNNING"] });
    await api.post("/concurrency_limits/increment", { names: [tagLimit.tag], task_run_id: holder.id });
  });

  it("lists global limits, creates one, lists task run limits and shows one with the task run holding its slot", async () => {
    const name = unique("ui-limit");
    const ui = await browser.newPage();
    await ui.visit("/concurrency-limits", [global.name]);
    await ui.page.click("[aria-label='Add a global concurrency limit']");
    await fill(ui, "Name", name);
    await fill(ui, "Concurrency Limit", 5);
    await ui.click("Create", { selector: ".p-modal button" });
    await ui.waitForTexts([name]);
    const created = await api.get(`/v2/concurrency_limits/${name}`);
    assert.equal(created.limit, 5);
    assert.equal(created.active, true);

    await ui.page.waitForFunction(() => !document.querySelector(".p-modal"));
    await ui.click("Task Run", { selector: ".p-tab" });
    await ui.waitForTexts(["Task Run Concurrency Limits", tagLimit.tag]);
    await ui.click(tagLimit.tag);
    await ui.waitForPath(`/concurrency-limits/concurrency-limit/${tagLimit.id}`);
    await ui.waitForTexts([holder.name, "Running", tagLimit.id]);
    await ui.settle();
    ui.assertNoProblems();
  });
});

describe("artifacts", () => {
  it("lists the artifacts, shows all versions of a key and one of them", async () => {
    const run = await seed.flowRun();
    const artifact = await seed.artifact({ data: "# A seeded heading", flow_run_id: run.id });
    const ui = await browser.newPage();
    await ui.visit("/artifacts", [artifact.key]);
    await ui.page.click(`a[href="/artifacts/key/${artifact.key}"]`);
    await ui.waitForPath(`/artifacts/key/${artifact.key}`);
    await ui.waitForTexts(["seeded by a browser test", run.name]);
    await ui.visit(`/artifacts/artifact/${artifact.id}`, [artifact.key, "A seeded heading", run.name]);
    ui.assertNoProblems();
  });
});

describe("settings", () => {
  it("shows the server's version and settings, and keeps the chosen color mode", async () => {
    const ui = await browser.newPage();
    await ui.visit("/settings", ["3.8.3", "Theme", '"home"']);
    await ui.page.select(".color-mode-select select", "deuteranopia");
    assert.equal(await ui.page.evaluate(() => localStorage.getItem("prefect-color-mode")), '"deuteranopia"');
    assert.ok(await ui.page.evaluate(() => document.body.classList.contains("color-mode-deuteranopia")));
    ui.assertNoProblems();
  });
});

describe("a missing resource", () => {
  it("shows the not-found page at its URL", async () => {
    const missing = "00000000-0000-4000-8000-000000000000";
    const ui = await browser.newPage();
    for (const path of [
      `/work-pools/work-pool/${unique("no-pool")}`,
      `/blocks/block/${missing}`,
      `/concurrency-limits/concurrency-limit/${missing}`,
      `/artifacts/key/${unique("no-key")}`,
    ]) {
      await ui.visit(path, ["Page not found"]);
      assert.equal(new URL(ui.page.url()).pathname, path);
    }
    // Each page asked for what is missing (a 404) and the subscription that asked logs its error.
    ui.assertNoProblems({ ignore: (problem) => problem.status === 404 || problem.kind === "console error" });
  });
});
