import { mkdirSync } from "node:fs";
import path from "node:path";

export const SCREENSHOTS = path.join(import.meta.dirname, "..", "screenshots");
const DEFAULT_TIMEOUT_MS = Number(process.env.UI_TEST_TIMEOUT_MS ?? 20_000);
// Clickable things, by role more than by tag: the design library renders buttons, links, menu items.
const CLICKABLE = "a, button, [role=button], [role=link], [role=menuitem], [role=option], [role=tab], label, summary";
const TIMINGS = Boolean(process.env.UI_TEST_TIMINGS);
let shots = 0;

function describeArgs(message) {
  const describe = (value) => {
    if (value instanceof Error) return `${value.name}: ${value.message}`;
    if (value && typeof value === "object") {
      const status = value.response?.status;
      const url = value.config?.url ?? value.response?.config?.url;
      const call = [status, value.config?.method?.toUpperCase(), url].filter(Boolean).join(" ");
      if (value.message) return `${value.name ?? "error"}: ${value.message}${call ? ` (${call})` : ""}`;
      try {
        return JSON.stringify(value).slice(0, 300);
      } catch {
        return String(value);
      }
    }
    return String(value);
  };
  return Promise.all(message.args().map((arg) => arg.evaluate(describe).catch(() => "?")))
    .then((parts) => parts.join(" "))
    .catch(() => null);
}

/**
 * A puppeteer page on the UI under test (`.page` is puppeteer's own), recording what must not
 * happen: console errors, uncaught page errors, same-origin responses ≥ 400 and failed same-origin
 * requests. Requests to other origins (block logos from a CDN) are not the server's and are left out;
 * so are requests the page itself aborted (navigating away cancels pending calls).
 */
export class UiPage {
  /** @param {import("puppeteer-core").Page} page */
  constructor(page, { base, name }) {
    this.page = page;
    this.base = base.replace(/\/$/, "");
    this.origin = new URL(this.base).origin;
    this.name = name ?? path.basename(process.argv[1] ?? "page", ".test.mjs");
    /** @type {{ kind: string, text: string, status?: number, url?: string }[]} */
    this.problems = [];
    page.on("console", (message) => {
      // Failed loads are logged again as "Failed to load resource": the network listeners have them.
      if (message.type() !== "error" || message.text().startsWith("Failed to load resource")) return;
      const problem = { kind: "console error", text: message.text().slice(0, 500), url: message.location()?.url };
      this.problems.push(problem);
      // An object logged (an error of a call, say) reads "[object …]": describe it from the page.
      if (message.text().includes("[object ")) void describeArgs(message).then((text) => text && (problem.text = text.slice(0, 500)));
    });
    page.on("pageerror", (error) => {
      this.problems.push({ kind: "page error", text: String(error?.message ?? error).slice(0, 500) });
    });
    page.on("request", (request) => this.#inFlight.add(request));
    page.on("requestfinished", (request) => this.#inFlight.delete(request));
    page.on("requestfailed", (request) => this.#inFlight.delete(request));
    page.on("response", (response) => {
      if (response.status() < 400 || !this.#ours(response.url())) return;
      const problem = { kind: "http", status: response.status(), text: `${response.status()} ${response.request().method()} ${response.url()}`, url: response.url() };
      this.problems.push(problem);
      response.text().then((body) => (problem.text += ` → ${body.slice(0, 300)}`), () => {});
    });
    page.on("requestfailed", (request) => {
      const error = request.failure()?.errorText ?? "failed";
      if (error === "net::ERR_ABORTED" || !this.#ours(request.url())) return;
      this.problems.push({ kind: "failed request", text: `${request.method()} ${request.url()}: ${error}`, url: request.url() });
    });
  }

  #inFlight = new Set();

  static async wrap(page, options) {
    await page.setViewport({ width: 1400, height: 900 });
    page.setDefaultTimeout(DEFAULT_TIMEOUT_MS);
    return new UiPage(page, options);
  }

  #ours(url) {
    try {
      return new URL(url).origin === this.origin;
    } catch {
      return false;
    }
  }

  /** `path` on the server under test (`/flows`, `/api/docs`), as an absolute URL. */
  url(pathname = "/") {
    return `${this.base}${pathname.startsWith("/") ? "" : "/"}${pathname}`;
  }

  /**
   * Opens `pathname`, waits until every text of `expectTexts` is on the page (innerText, so visible
   * text), lets the page's calls finish, and takes a screenshot. Throws, naming the missing texts and
   * showing what the page says, when they don't all appear within `timeout` ms.
   */
  async visit(pathname, expectTexts = [], { timeout = DEFAULT_TIMEOUT_MS } = {}) {
    const marks = [Date.now()];
    await this.goto(pathname, { timeout });
    marks.push(Date.now());
    await this.waitForTexts(expectTexts, { timeout, what: `visit ${pathname}` });
    marks.push(Date.now());
    await this.settle();
    marks.push(Date.now());
    await this.screenshot(pathname);
    marks.push(Date.now());
    if (TIMINGS) {
      const [load, texts, settle, shot] = marks.slice(1).map((mark, i) => mark - marks[i]);
      console.log(`visit ${pathname}: load ${load} ms, texts ${texts} ms, settle ${settle} ms, screenshot ${shot} ms`);
    }
    return this;
  }

  /**
   * Loads `pathname` (until DOMContentLoaded); answers puppeteer's response. A load that stalls past
   * `timeout` is tried once more, saying so with what was still loading (a busy machine can stall a
   * local Worker for seconds); a second stall throws with the same.
   */
  async goto(pathname, { timeout = DEFAULT_TIMEOUT_MS } = {}) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.page.goto(this.url(pathname), { waitUntil: "domcontentloaded", timeout });
      } catch (error) {
        if (error?.name !== "TimeoutError") throw error;
        const pending = [...this.#inFlight].map((request) => `${request.method()} ${request.url()}`).join(", ") || "nothing";
        const message = `loading ${pathname} stalled for ${timeout / 1000} s (still loading: ${pending})`;
        if (attempt === 2) {
          const shot = await this.screenshot(`FAILED goto ${pathname}`).catch(() => "(no screenshot)");
          throw new Error(`${message}, twice\n  screenshot: ${shot}`);
        }
        console.log(`warning: ${message}; trying again`);
      }
    }
  }

  /** Waits until every text is on the page; see `visit`. */
  async waitForTexts(texts, { timeout = DEFAULT_TIMEOUT_MS, what = "waitForTexts" } = {}) {
    const list = [texts].flat();
    try {
      await this.page.waitForFunction(
        (wanted) => wanted.every((text) => document.body?.innerText.includes(text)),
        { timeout, polling: 100 },
        list,
      );
    } catch (error) {
      const shown = await this.text().catch(() => "");
      const missing = list.filter((text) => !shown.includes(text));
      const shot = await this.screenshot(`FAILED ${what}`).catch(() => "(no screenshot)");
      throw new Error(
        `${what}: after ${timeout / 1000} s the page at ${this.page.url()} still lacks ${missing.map((t) => JSON.stringify(t)).join(", ") || "(none missing now)"}` +
          ` (${error.message.split("\n")[0]})\n  screenshot: ${shot}\n  the page says: ${shown.replace(/\s+/g, " ").slice(0, 800)}` +
          (this.problems.length ? `\n  problems so far:\n${this.#listProblems(this.problems)}` : ""),
      );
    }
  }

  /** Waits until the page's path (and query, if given) is `expected`. */
  async waitForPath(expected, { timeout = DEFAULT_TIMEOUT_MS } = {}) {
    try {
      await this.page.waitForFunction(
        (want) => (want.includes("?") ? location.pathname + location.search : location.pathname) === want,
        { timeout, polling: 100 },
        expected,
      );
    } catch {
      throw new Error(`waitForPath: after ${timeout / 1000} s the page is at ${this.page.url()}, not ${expected}`);
    }
  }

  /** The page's visible text. */
  text() {
    return this.page.evaluate(() => document.body?.innerText ?? "");
  }

  /** Waits (at most `timeout` ms, without failing) until no request has been in flight for 300 ms. */
  async settle({ timeout = 5_000 } = {}) {
    await this.page.waitForNetworkIdle({ idleTime: 300, timeout }).catch(() => {});
  }

  /**
   * Clicks the first visible, enabled clickable element (`selector`, default links, buttons, menu
   * items, tabs, labels) whose text is `text` (trimmed; a RegExp matches instead), waiting for it to
   * appear and to be enabled (a button busy with its action, or a form still validating, is disabled).
   */
  async click(text, { selector = CLICKABLE, timeout = DEFAULT_TIMEOUT_MS } = {}) {
    const handle = await this.find(text, { selector, timeout, enabled: true });
    await handle.click();
    await handle.dispose();
  }

  /**
   * The first visible element matching `selector` whose trimmed text is `text` (or matches a RegExp);
   * with `enabled`, only one not disabled (itself or its fieldset) nor aria-disabled.
   */
  async find(text, { selector = CLICKABLE, timeout = DEFAULT_TIMEOUT_MS, enabled = false } = {}) {
    const pattern = text instanceof RegExp ? { source: text.source, flags: text.flags } : null;
    try {
      const handle = await this.page.waitForFunction(
        (sel, wanted, regex, mustBeEnabled) => {
          const matches = (value) => (regex ? new RegExp(regex.source, regex.flags).test(value) : value === wanted);
          for (const element of document.querySelectorAll(sel)) {
            const box = element.getBoundingClientRect();
            if (box.width === 0 || box.height === 0) continue;
            if (mustBeEnabled && (element.matches(":disabled") || element.closest("[aria-disabled=true]"))) continue;
            if (matches((element.innerText ?? element.textContent ?? "").trim())) return element;
          }
          return null;
        },
        { timeout, polling: 100 },
        selector,
        pattern ? null : text,
        pattern,
        enabled,
      );
      return handle.asElement();
    } catch {
      const shot = await this.screenshot(`FAILED find ${text}`).catch(() => "(no screenshot)");
      throw new Error(`find: no visible${enabled ? ", enabled" : ""} ${selector} reading ${text} within ${timeout / 1000} s on ${this.page.url()}\n  screenshot: ${shot}`);
    }
  }

  /** Saves a screenshot to test/browser/screenshots/ (git-ignored); answers its path. */
  async screenshot(label) {
    mkdirSync(SCREENSHOTS, { recursive: true });
    shots += 1;
    const slug = String(label).replace(/[^a-zA-Z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 80) || "root";
    const file = path.join(SCREENSHOTS, `${this.name}-${String(shots).padStart(2, "0")}-${slug}.png`);
    await this.page.screenshot({ path: file, optimizeForSpeed: true });
    return path.relative(process.cwd(), file);
  }

  /**
   * Throws, listing them, if anything was recorded (see the class); `ignore(problem)` answering true
   * leaves a problem out (e.g. the 401s of a login check). Then forgets what was recorded.
   */
  assertNoProblems({ ignore = () => false } = {}) {
    const problems = this.problems.filter((problem) => !ignore(problem));
    this.problems = [];
    if (problems.length) throw new Error(`${problems.length} problem(s) on ${this.page.url()}:\n${this.#listProblems(problems)}`);
  }

  #listProblems(problems) {
    return problems.map((problem) => `  - ${problem.kind}: ${problem.text}`).join("\n");
  }
}
