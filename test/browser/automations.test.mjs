// Automations (list, detail, wizard create and edit, enable toggle) and the event feed (feed, one event).
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, describe, it } from "node:test";
import { api, seed, unique, useBrowser } from "./support/index.mjs";

const browser = useBrowser();

/** Picks `value` in the select labelled `label` (the design library renders native selects here). */
async function choose(page, label, value) {
  const select = await page.page.waitForFunction(
    (wanted) => {
      for (const element of document.querySelectorAll(".p-label")) {
        if (element.querySelector(".p-label__label")?.innerText.trim() === wanted) return element.querySelector("select");
      }
      return null;
    },
    { polling: 100 },
    label,
  );
  await select.select(value);
  await select.dispose();
}

/** Replaces the text of the input labelled `label`. */
async function fill(page, label, text) {
  const input = await page.page.waitForFunction(
    (wanted) => {
      for (const element of document.querySelectorAll(".p-label")) {
        if (element.querySelector(".p-label__label")?.innerText.trim() === wanted) return element.querySelector("input");
      }
      return null;
    },
    { polling: 100 },
    label,
  );
  await input.click({ count: 3 });
  await input.press("Backspace");
  await input.type(text);
  await input.dispose();
}

/** The automation named `name`, as the API answers it (null while there is none). */
async function automationNamed(name) {
  const all = await api.post("/automations/filter", {});
  return all.find((automation) => automation.name === name) ?? null;
}

/** Waits until `check()` answers something truthy (the UI's writes land a moment after the click). */
async function eventually(check, what, timeout = 10_000) {
  const until = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`not within ${timeout / 1000} s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A trigger without the ids the server gives it and its nested triggers. */
function withoutIds({ id: _id, triggers, ...rest }) {
  return triggers ? { ...rest, triggers: triggers.map(withoutIds) } : rest;
}

const flowRunFailedTrigger = {
  type: "event",
  posture: "Reactive",
  match: { "prefect.resource.id": "prefect.flow-run.*" },
  expect: ["prefect.flow-run.Failed"],
  threshold: 1,
  within: 0,
};

describe("automations", () => {
  // The server evaluates them: left enabled, these would cancel the next test files' flow runs.
  after(async () => {
    for (const automation of await api.post("/automations/filter", {})) await api.delete(`/automations/${automation.id}`);
  });

  it("lists a seeded automation with its trigger and actions, shows it on its own page, turns it off and on, deletes it", async () => {
    const automation = await seed.automation({
      description: "cancels what fails",
      trigger: flowRunFailedTrigger,
      actions: [{ type: "cancel-flow-run" }],
    });
    const page = await browser.newPage();
    await page.visit("/automations", [automation.name, "cancels what fails", "When any flow run enters", "Cancel flow run"]);
    page.assertNoProblems();

    await page.click(automation.name);
    await page.waitForPath(`/automations/automation/${automation.id}`);
    await page.waitForTexts([automation.name, "Description", "cancels what fails", "Trigger", "Failed", "Cancel flow run"]);
    assert.equal(await page.page.title(), `Automation: ${automation.name} • Prefect Server`);
    await page.settle();
    page.assertNoProblems();

    // Its toggle turns it off and on.
    const toggle = ".automation-page .p-toggle";

    await page.page.click(toggle);
    await page.waitForTexts(["Automation disabled"]);
    await eventually(async () => (await api.get(`/automations/${automation.id}`)).enabled === false, "the automation is disabled");

    await page.page.click(toggle);
    await page.waitForTexts(["Automation enabled"]);
    await eventually(async () => (await api.get(`/automations/${automation.id}`)).enabled === true, "the automation is enabled again");
    await page.settle();
    page.assertNoProblems();

    // Its menu deletes it, after asking, and leads back to the list.
    await page.page.click(".automation-page .p-icon-button-menu");
    await page.click("Delete", { selector: ".p-overflow-menu-item" });
    await page.click("Delete", { selector: ".p-modal button" });
    await page.waitForPath("/automations");
    await eventually(async () => (await api.get(`/automations/${automation.id}`, { ok: [404] }))?.exception_message === "Automation not found", "the automation is deleted");
    await page.settle();
    page.assertNoProblems();
  });

  it("creates an automation through the wizard, then edits it; the API has what was chosen", async () => {
    const name = unique("wizard");
    const page = await browser.newPage();
    await page.visit("/automations/create", ["Trigger Template"]);
    assert.equal(await page.page.title(), "Create Automation • Prefect Server");

    await choose(page, "Trigger Template", "flow-run-state");
    await page.waitForTexts(["Flow Run Tags"]);
    await page.click("Next");
    await page.waitForTexts(["Action 1", "Action Type"]);
    await choose(page, "Action Type", "cancel-flow-run");
    await page.click("Next");
    await fill(page, "Automation Name", name);
    await fill(page, "Description (Optional)", "made by the wizard");
    await page.click("Create");
    await page.waitForPath("/automations");
    await page.waitForTexts([name, "made by the wizard"]);

    const created = await eventually(() => automationNamed(name), "the created automation");
    assert.equal(created.description, "made by the wizard");
    assert.equal(created.enabled, true);
    assert.equal(created.trigger.type, "event");
    assert.equal(created.trigger.posture, "Reactive");
    assert.deepEqual(created.trigger.match, { "prefect.resource.id": "prefect.flow-run.*" });
    assert.deepEqual(created.trigger.expect, ["prefect.flow-run.*"]);
    assert.deepEqual(created.actions, [{ type: "cancel-flow-run" }]);
    await page.settle();
    page.assertNoProblems();

    // Edit: a second action and a new name; the trigger goes back as it was.
    await page.visit(`/automations/automation/${created.id}/edit`, ["Trigger Template", "Flow Run Tags"]);
    assert.equal(await page.page.title(), `Edit Automation: ${name} • Prefect Server`);
    await page.click("Next");
    await page.waitForTexts(["Action 1"]);
    await page.click("Add Action");
    await page.waitForTexts(["Action 2"]);
    const selects = await page.page.$$(".automation-wizard-action select");
    await selects.at(-2).select("suspend-flow-run");
    await page.click("Next");
    await fill(page, "Automation Name", `${name}-edited`);
    await page.click("Save");
    await page.waitForPath(`/automations/automation/${created.id}`);
    await page.waitForTexts([`${name}-edited`, "Suspend flow run"]);

    const edited = await api.get(`/automations/${created.id}`);
    assert.equal(edited.name, `${name}-edited`);
    assert.equal(edited.description, "made by the wizard");
    assert.deepEqual(edited.actions, [{ type: "cancel-flow-run" }, { type: "suspend-flow-run" }]);
    assert.deepEqual(withoutIds(edited.trigger), withoutIds(created.trigger));
    await page.settle();
    page.assertNoProblems();
  });

  it("saves a compound trigger through the JSON view unchanged, with the actions on trigger and resolve the wizard does not show", async () => {
    const trigger = {
      type: "compound",
      require: "all",
      within: 300,
      triggers: [
        { ...flowRunFailedTrigger, threshold: 2, within: 60 },
        { type: "event", posture: "Proactive", match: { "prefect.resource.id": "test.resource.*" }, expect: ["test.heartbeat"], for_each: ["prefect.resource.id"], threshold: 1, within: 600 },
      ],
    };
    const automation = await seed.automation({
      trigger,
      actions_on_trigger: [{ type: "do-nothing" }],
      actions_on_resolve: [{ type: "do-nothing" }],
    });
    const page = await browser.newPage();
    await page.visit(`/automations/automation/${automation.id}/edit`, ["Trigger Template", "Switch to JSON"]);
    await page.click("JSON");
    await page.waitForTexts(['"compound"', '"test.heartbeat"']);
    await page.click("Save & Exit");
    await page.waitForPath(`/automations/automation/${automation.id}`);
    const saved = await api.get(`/automations/${automation.id}`);
    // The server gives each trigger a new id when the automation is replaced, as Prefect's does.
    assert.deepEqual(withoutIds(saved.trigger), withoutIds(automation.trigger));
    assert.deepEqual(saved.actions_on_trigger, [{ type: "do-nothing" }]);
    assert.deepEqual(saved.actions_on_resolve, [{ type: "do-nothing" }]);
    await page.settle();
    page.assertNoProblems();
  });

  it("starts the wizard from a flow's link with the flow's trigger and the actions in the address", async () => {
    const flow = await seed.flow();
    // As the library's links write them: each action one `actions` value, its JSON URI-encoded once more.
    const actions = encodeURIComponent(encodeURIComponent(JSON.stringify({ type: "suspend-flow-run" })));
    const page = await browser.newPage();
    await page.visit(`/automations/create?from=flow&flowId=${flow.id}&actions=${actions}`, ["Trigger Template", flow.name]);
    await page.click("Next");
    await page.waitForTexts(["Action 1"]);
    const type = await page.page.$eval(".automation-wizard-action select", (select) => select.value);
    assert.equal(type, "suspend-flow-run");
    await page.settle();
    page.assertNoProblems();
  });

  it("creates an automation whose trigger is written as JSON", async () => {
    const name = unique("json-trigger");
    const trigger = { type: "event", posture: "Reactive", match: { "prefect.resource.id": "test.json.*" }, expect: ["test.json.happened"], threshold: 3, within: 120 };
    const page = await browser.newPage();
    await page.visit("/automations/create", ["Trigger Template"]);
    await choose(page, "Trigger Template", "custom");
    await page.click("JSON");
    await page.waitForTexts(["Format"]);
    const editor = await page.page.waitForSelector(".automation-wizard-trigger-json__input [contenteditable], .automation-wizard-trigger-json__input textarea");
    await editor.click();
    await page.page.keyboard.down("Control");
    await page.page.keyboard.press("a");
    await page.page.keyboard.up("Control");
    await page.page.keyboard.press("Backspace");
    await page.page.keyboard.sendCharacter(JSON.stringify(trigger));
    await editor.dispose();
    await page.click("Next");
    await choose(page, "Action Type", "run-deployment");
    await page.click("Next");
    await fill(page, "Automation Name", name);
    await page.click("Create");
    await page.waitForPath("/automations");

    const created = await eventually(() => automationNamed(name), "the created automation");
    const { id: _id, ...sent } = created.trigger;
    assert.deepEqual(sent, { ...trigger, match_related: {}, after: [], for_each: [] });
    assert.equal(created.actions.length, 1);
    assert.equal(created.actions[0].type, "run-deployment");
    assert.equal(created.actions[0].source, "inferred");
    await page.settle();
    page.assertNoProblems();
  });

  it("describes every action kind, and an edit saved unchanged sends them back as they were", async () => {
    const deployment = await seed.deployment();
    const { pool, queue } = await seed.workPool();
    const block = await seed.blockDocument();
    const other = await seed.automation();
    // Each kind as Prefect's client and the library write it: a chosen object ("selected") or the triggering one ("inferred").
    const actions = [
      { type: "cancel-flow-run" },
      { type: "suspend-flow-run" },
      { type: "resume-flow-run" },
      { type: "change-flow-run-state", name: "Stopped", state: "CANCELLED", message: "stopped by a test" },
      { type: "run-deployment", source: "selected", deployment_id: deployment.id, parameters: { name: "automated" }, job_variables: {} },
      { type: "run-deployment", source: "inferred" },
      { type: "pause-deployment", source: "selected", deployment_id: deployment.id },
      { type: "resume-deployment", source: "inferred" },
      { type: "pause-work-queue", source: "selected", work_queue_id: queue.id },
      { type: "resume-work-queue", source: "inferred" },
      { type: "pause-work-pool", source: "selected", work_pool_id: pool.id },
      { type: "resume-work-pool", source: "inferred" },
      { type: "pause-automation", source: "selected", automation_id: other.id },
      { type: "resume-automation", source: "inferred" },
      { type: "send-notification", block_document_id: block.id, subject: "Subject {{ event.id }}", body: "Body" },
      { type: "call-webhook", block_document_id: block.id, payload: '{"event": "{{ event.id }}"}' },
      { type: "do-nothing" },
    ];
    const automation = await seed.automation({ trigger: flowRunFailedTrigger, actions });
    const page = await browser.newPage();
    await page.visit(`/automations/automation/${automation.id}`, [
      "Actions",
      "Cancel flow run",
      "Suspend flow run",
      "Resume a flow run",
      "Change the state of the flow run",
      deployment.name,
      pool.name,
      queue.name,
      other.name,
      block.name,
    ]);
    page.assertNoProblems();

    await page.visit(`/automations/automation/${automation.id}/edit`, ["Trigger Template"]);
    await page.click("Save & Exit");
    await page.waitForPath(`/automations/automation/${automation.id}`);
    const saved = await api.get(`/automations/${automation.id}`);
    assert.deepEqual(saved.actions, automation.actions);
    await page.settle();
    page.assertNoProblems();
  });

  it("offers every trigger template and every action kind in the wizard, each with its inputs", async () => {
    const page = await browser.newPage();
    await page.visit("/automations/create", ["Trigger Template"]);
    await page.click("Next");
    await page.waitForTexts(["Choose a trigger template"]);
    const templates = [
      ["deployment-status", "Deployments"],
      ["flow-run-state", "Flow Run Tags"],
      ["work-pool-status", "Work Pools"],
      ["work-queue-status", "Work Queues"],
      ["custom", "When I"],
    ];
    for (const [template, label] of templates) {
      await choose(page, "Trigger Template", template);
      await page.waitForTexts([label], { what: `trigger template ${template}` });
    }
    await page.click("Next");
    await page.waitForTexts(["Action 1"]);
    const kinds = await page.page.$$eval(".automation-wizard-action select option", (options) => options.map((option) => option.value));
    assert.deepEqual(kinds.filter(Boolean), [
      "cancel-flow-run", "suspend-flow-run", "resume-flow-run", "change-flow-run-state", "run-deployment", "pause-deployment",
      "resume-deployment", "pause-work-queue", "resume-work-queue", "pause-work-pool", "resume-work-pool", "pause-automation",
      "resume-automation", "send-notification", "call-webhook",
    ]);
    for (const kind of kinds.filter(Boolean)) {
      await choose(page, "Action Type", kind);
      await page.settle({ timeout: 1_000 });
    }
    await page.screenshot("last action kind");
    page.assertNoProblems();

    // Cancel, on a wizard opened directly, leads to the automations.
    await page.click("Cancel");
    await page.waitForPath("/automations");
  });

  it("shows the not-found page for an automation or an event that does not exist", async () => {
    const page = await browser.newPage();
    const missing = "00000000-0000-4000-8000-000000000000";
    for (const path of [`/automations/automation/${missing}`, `/automations/automation/${missing}/edit`, `/events/event/2026-01-01/${missing}`]) {
      await page.visit(path, ["Page not found", path]);
      page.assertNoProblems({ ignore: (problem) => problem.status === 404 && problem.url?.endsWith(`/api/automations/${missing}`) });
    }
  });
});

describe("event feed", () => {
  it("pages through more events than a page holds", async () => {
    const name = unique("test.paging");
    const now = Date.now();
    const events = Array.from({ length: 60 }, (_, i) => ({
      id: randomUUID(),
      occurred: new Date(now - i * 1000).toISOString(),
      event: name,
      resource: { "prefect.resource.id": `test.resource.page-${i}` },
      payload: {},
    }));
    await api.post("/events", events);
    const page = await browser.newPage();
    await page.visit(`/events?events=${encodeURIComponent(name)}`, ["Page 1 of 2", "test.resource.page-0"]);
    const [, , next] = await page.page.$$(".events-page__pager .p-pager__buttons button");
    await next.click();
    await page.waitForTexts(["Page 2 of 2", "test.resource.page-59"]);
    await page.settle();
    page.assertNoProblems();
  });

  it("shows seeded events, filters them by name and resource from the address, opens one and automates it", async () => {
    const resource = { "prefect.resource.id": `test.resource.${unique("feed")}`, "prefect.resource.name": unique("feed-resource") };
    const first = await seed.event({ resource, payload: { n: 1 } });
    const second = await seed.event({ resource, payload: { n: 2 } });
    const page = await browser.newPage();
    await page.visit("/events", [first.event, second.event, "Past day"]);
    assert.equal(await page.page.title(), "Event Feed • Prefect Server");
    page.assertNoProblems();

    // The filters list every event name and resource; the feed below them shows only what was asked for.
    const feedLacks = (gone) =>
      page.page.waitForFunction((text) => !document.querySelector(".events-page__timeline")?.innerText.includes(text), { polling: 100 }, gone);
    await page.visit(`/events?events=${encodeURIComponent(second.event)}`, [second.event]);
    await feedLacks(first.event);
    const elsewhere = await seed.event();
    await page.visit(`/events?resource=${encodeURIComponent(resource["prefect.resource.id"])}`, [first.event, second.event]);
    await feedLacks(elsewhere.event);
    page.assertNoProblems();

    // The card's heading links to the event's page.
    const card = await page.find(new RegExp(`${second.event.replace(/[.-]/g, "\\$&")}`), { selector: ".event-card, .p-card" });
    const link = await card.$("a");
    await link.click();
    await page.waitForPath(new URL(await page.page.evaluate((a) => a.href, link)).pathname);
    await page.waitForTexts([second.event, resource["prefect.resource.id"]]);
    assert.match(await page.page.title(), /^Event: /);
    await page.settle();
    page.assertNoProblems();

    // Its menu's "Automate" opens the wizard with a trigger on this event from this resource.
    await page.page.click(".event-page .p-icon-button-menu");
    await page.click("Automate", { selector: ".p-overflow-menu-item" });
    await page.waitForPath("/automations/create");
    await page.waitForTexts(["Any event matching", second.event, resource["prefect.resource.id"]]);
    await page.settle();
    page.assertNoProblems();
  });
});
