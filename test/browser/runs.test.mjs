// The runs and deployments pages: dashboard, runs, flow run (every tab), task run, flow, deployments,
// deployment (every tab), its edit, duplicate and custom-run forms; the quick run, cancel, schedule
// toggle and custom run actions, checked through the API.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { before, describe, it } from "node:test";
import { api, seed, unique, useBrowser } from "./support/index.mjs";

const browser = useBrowser();
const TAB = { selector: "li.p-tab" };

/** Polls `read` until `accept(value)` holds (at most `timeout` ms); answers the last value. */
async function eventually(read, accept, { timeout = 10_000 } = {}) {
  const until = Date.now() + timeout;
  let value = await read();
  while (!accept(value) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    value = await read();
  }
  return value;
}

/** Replaces the text of the first field matching `selector` by `text`, as a user typing. */
async function replaceText(page, selector, text) {
  const field = await page.page.$(selector);
  await field.click({ clickCount: 3 });
  await page.page.keyboard.press("Backspace");
  await field.type(text);
}

/** What the page-level tests look at: a deployment with one finished run holding a task run, a subflow, logs and an artifact. */
let world;

before(async () => {
  const { pool } = await seed.workPool();
  const deployment = await seed.deployment({ description: `Seeded ${unique("description")}`, job_variables: { seeded_variable: "job-variable-value" } });
  const flow = deployment.flow;
  // One tag in the names of the run, its task run and its subflow run: the runs page searches by it
  // (the server is shared by every test file, so lists hold others' rows too).
  const tag = unique("runs-page");
  const run = await seed.flowRun({
    flow,
    name: `${tag}-parent`,
    deployment_id: deployment.id,
    parameters: { name: "parameter-value" },
    states: ["PENDING", "RUNNING"],
    logs: 2,
  });
  const taskRun = await seed.taskRun({ flow_run_id: run.id, name: `${tag}-task` });
  const wrapper = await seed.taskRun({ flow_run_id: run.id, name: unique("subflow-wrapper") });
  const subflow = await seed.flowRun({ name: `${tag}-child`, parent_task_run_id: wrapper.id });
  const artifact = await seed.artifact({ flow_run_id: run.id });
  await seed.setFlowRunState(run.id, "COMPLETED");
  world = { tag, pool, deployment, flow, run, taskRun, subflow, artifact };
});

describe("runs pages", () => {
  it("dashboard shows the run and task-run cards and the active work pool", async () => {
    const page = await browser.newPage();
    await page.visit("/dashboard", ["Flow Runs", "Task Runs", world.pool.name]);
    page.assertNoProblems();
  });

  it("runs page lists the seeded flow runs and, on its second tab, task runs", async () => {
    const page = await browser.newPage();
    await page.visit(`/runs?flow-run-search=${world.tag}&task-run-search=${world.tag}`, [world.run.name, world.subflow.name]);
    await page.click("Task runs");
    await page.waitForTexts([world.taskRun.name]);
    await page.settle();
    page.assertNoProblems();
  });

  it("flow run page shows its graph, logs and every tab", async () => {
    const page = await browser.newPage();
    await page.visit(`/runs/flow-run/${world.run.id}`, [world.run.name, world.flow.name, world.run.logs[0].message]);
    assert.ok(await page.page.$(".runs-flow-run-graphs canvas"), "the run graph draws on a canvas");
    for (const [tab, texts] of [
      ["Task Runs", [world.taskRun.name]],
      ["Subflow Runs", [world.subflow.name]],
      ["Artifacts", [world.artifact.key]],
      ["Details", [world.run.id]],
      ["Parameters", ["parameter-value"]],
      ["Job Variables", ["{"]],
    ]) {
      await page.click(tab, TAB);
      await page.waitForTexts(texts, { what: `tab ${tab}` });
    }
    await page.settle();
    page.assertNoProblems();
  });

  it("task run page shows the task run and its flow run", async () => {
    const page = await browser.newPage();
    await page.visit(`/runs/task-run/${world.taskRun.id}`, [world.taskRun.name, world.run.name]);
    page.assertNoProblems();
  });

  it("flow page lists the flow's runs and deployments", async () => {
    const page = await browser.newPage();
    await page.visit(`/flows/flow/${world.flow.id}`, [world.flow.name, world.run.name]);
    // The chart sizes itself (debounced by a second) before it asks for runs.
    await page.page.waitForSelector(".flow-runs-bar-chart__bar-flow-run", { timeout: 10_000 });
    await page.click("Deployments", TAB);
    await page.waitForTexts([world.deployment.name]);
    await page.settle();
    page.assertNoProblems();
  });

  it("deployments page lists and finds the seeded deployment", async () => {
    const page = await browser.newPage();
    await page.visit("/deployments", ["Search deployments"]);
    await page.page.type("input[type=search]", world.deployment.name);
    await page.waitForTexts([world.deployment.name, world.flow.name]);
    await page.settle();
    page.assertNoProblems();
  });

  it("deployment page shows its runs, upcoming runs, parameters, configuration and description", async () => {
    const page = await browser.newPage();
    await page.visit(`/deployments/deployment/${world.deployment.id}`, [world.deployment.name, world.flow.name, world.run.name]);
    for (const [tab, texts] of [
      ["Upcoming", ["Scheduled"]],
      ["Parameters", ["world"]],
      ["Configuration", ["seeded_variable"]],
      ["Description", [world.deployment.description]],
    ]) {
      await page.click(tab, TAB);
      await page.waitForTexts(texts, { what: `tab ${tab}` });
    }
    await page.settle();
    page.assertNoProblems();
  });

  it("an unknown flow run, task run, flow or deployment shows the not-found page", async () => {
    const page = await browser.newPage();
    const id = randomUUID();
    for (const path of [`/runs/flow-run/${id}`, `/runs/task-run/${id}`, `/flows/flow/${id}`, `/deployments/deployment/${id}/run`]) {
      await page.visit(path, ["Page not found"]);
    }
    // The 404 answers themselves (and their logging by the subscriptions) are expected here.
    page.assertNoProblems({ ignore: (problem) => problem.status === 404 || problem.kind === "console error" });
  });
});

describe("runs actions", () => {
  it("quick run creates a flow run of the deployment", async () => {
    const deployment = await seed.deployment();
    const runsOf = async () => (await api.post("/flow_runs/filter", { deployments: { id: { any_: [deployment.id] } } })).filter((run) => !run.auto_scheduled);
    const page = await browser.newPage();
    await page.visit(`/deployments/deployment/${deployment.id}`, [deployment.name]);
    await page.click("Run");
    await page.click("Quick run", { selector: ".p-overflow-menu-item" });
    const runs = await eventually(runsOf, (found) => found.length === 1);
    assert.equal(runs.length, 1, "one manual run of the deployment");
    assert.equal(runs[0].state_type, "SCHEDULED");
    assert.ok(runs[0].expected_start_time, "scheduled for now");
    await page.waitForTexts([runs[0].name]);
    page.assertNoProblems();
  });

  it("cancelling a running flow run puts it in Cancelling", async () => {
    // The library offers to cancel only runs of a deployment (a worker carries the cancellation out).
    const run = await seed.flowRun({ flow: world.flow, deployment_id: world.deployment.id, states: ["PENDING", "RUNNING"] });
    const page = await browser.newPage();
    await page.visit(`/runs/flow-run/${run.id}`, [run.name, "Running"]);
    await page.click("Cancel");
    await page.click("Confirm", { selector: ".p-modal button" });
    const after = await eventually(() => api.get(`/flow_runs/${run.id}`), (read) => read.state_type !== "RUNNING");
    assert.ok(["Cancelling", "Cancelled"].includes(after.state_name), `state is ${after.state_name}`);
    await page.waitForTexts([after.state_name]);
    page.assertNoProblems();
  });

  it("the schedule toggle pauses and resumes the deployment's schedule", async () => {
    const deployment = await seed.deployment();
    const page = await browser.newPage();
    await page.visit(`/deployments/deployment/${deployment.id}`, [deployment.name]);
    const scheduleActive = async () => (await api.get(`/deployments/${deployment.id}`)).schedules[0].active;
    for (const expected of [false, true]) {
      await page.page.click(".deployment-page [role=switch]");
      assert.equal(await eventually(scheduleActive, (active) => active === expected), expected);
    }
    page.assertNoProblems();
  });

  it("the edit form saves a new description; the duplicate form creates a deployment under a new name", async () => {
    const deployment = await seed.deployment({ description: "words before" });
    const page = await browser.newPage();
    await page.visit(`/deployments/deployment/${deployment.id}/edit`, [deployment.name, "Save"]);
    await replaceText(page, "textarea", "words after");
    await page.click("Save");
    await page.waitForPath(`/deployments/deployment/${deployment.id}`);
    assert.equal((await api.get(`/deployments/${deployment.id}`)).description, "words after");

    const copyName = `${deployment.name}-copy`;
    await page.visit(`/deployments/deployment/${deployment.id}/duplicate`, [deployment.name, "Save"]);
    await replaceText(page, "input[type=text]", copyName);
    await page.click("Save");
    const copy = await eventually(() => api.get(`/deployments/name/${deployment.flow.name}/${copyName}`, { ok: [404] }), (found) => Boolean(found?.id));
    assert.equal(copy.description, "words after");
    await page.waitForPath(`/deployments/deployment/${copy.id}`);
    page.assertNoProblems();
  });

  it("the custom run form creates a run with the name and parameters typed", async () => {
    const deployment = await seed.deployment();
    const name = unique("custom-run");
    const page = await browser.newPage();
    await page.visit(`/deployments/deployment/${deployment.id}/run`, [deployment.name, "Parameters", "Submit"]);
    await replaceText(page, "input[type=text]", name);
    await replaceText(page, "textarea", "typed-value");
    await page.click("Submit");
    await page.waitForPath(`/deployments/deployment/${deployment.id}`);
    const [run] = await api.post("/flow_runs/filter", { flow_runs: { name: { any_: [name] } } });
    assert.equal(run?.deployment_id, deployment.id);
    assert.deepEqual(run.parameters, { name: "typed-value" });
    page.assertNoProblems();
  });
});
