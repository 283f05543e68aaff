import { after, afterEach, before, beforeEach } from "node:test";
import puppeteer from "puppeteer-core";
import { UiPage } from "./page.mjs";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Debian's chromium (or CHROMIUM_PATH), headless, driven by puppeteer-core: no browser download. */
export function launchBrowser() {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // On a busy machine chromium can take longer than puppeteer's 30 s to start.
    timeout: 90_000,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
}

/**
 * One browser for the test file: launched before its first test, closed after its last. Answers
 * `newPage(options)`, a fresh page (a `UiPage`) in a fresh browser context each time, so local storage
 * (stored credentials, color mode) never leaks from one test into the next. A page opened inside a
 * test is closed when that test ends; one opened in a `before` hook lives until the file ends.
 * `options.base`: the server's base URL (default UI_BASE_URL); `options.name`: screenshot prefix.
 */
export function useBrowser({ base = process.env.UI_BASE_URL, name } = {}) {
  let browser;
  let testContexts = null;
  before(async () => {
    if (!base) throw new Error("UI_BASE_URL is not set: run the browser tests with `npm run test:ui`");
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(() => {
    testContexts = [];
  });
  afterEach(async () => {
    const opened = testContexts ?? [];
    testContexts = null;
    await Promise.all(opened.map((context) => context.close().catch(() => {})));
  });
  return {
    async newPage(options = {}) {
      const context = await browser.createBrowserContext();
      testContexts?.push(context);
      const page = await context.newPage();
      return UiPage.wrap(page, { base: options.base ?? base, name: options.name ?? name });
    },
    get browser() {
      return browser;
    },
  };
}
