#!/usr/bin/env node
// `npm run test:ui [-- <name>...]`: the browser test suite (test/browser/*.test.mjs, node:test driving
// Debian's chromium through puppeteer-core). Builds the UI when it changed, starts two Workers as
// `npm start` does — each on a free port with a fresh local state in a temporary folder, the second
// with basic auth on — runs the test files one after the other, and stops the Workers however the
// run ends. Names given as arguments pick the test files whose name contains one of them.
// Env the tests read: UI_BASE_URL, UI_AUTH_BASE_URL, UI_AUTH_STRING (see test/browser/support).
// Knobs: UI_TEST_CONCURRENCY (test files at once, default 1), UI_TEST_TIMINGS=1 (each visit's phases),
// UI_TEST_TIMEOUT_MS (a wait's limit, default 20 000), CHROMIUM_PATH.
import { spawn } from "node:child_process";
import { cpSync, createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

const ROOT = path.join(import.meta.dirname, "..");
const TESTS = path.join(ROOT, "test", "browser");
const WRANGLER = path.join(ROOT, "node_modules", ".bin", "wrangler");
const AUTH_STRING = "admin:pass";
const STARTUP_TIMEOUT_MS = 90_000;
// No prompts, no telemetry (nothing outside this machine is reached in CI).
const WRANGLER_ENV = { ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false" };

const picks = process.argv.slice(2);
const files = readdirSync(TESTS)
  .filter((name) => name.endsWith(".test.mjs") && (!picks.length || picks.some((pick) => name.includes(pick))))
  .sort()
  .map((name) => path.join("test", "browser", name));
if (!files.length) {
  console.error(`no test file in test/browser matches ${picks.join(", ")}`);
  process.exit(1);
}

const state = mkdtempSync(path.join(tmpdir(), "prefect-ui-test-"));
const servers = [];

/** Stops every Worker started (its whole process group: wrangler runs workerd as a child). */
function stopServers(signal = "SIGTERM") {
  for (const server of servers) {
    if (server.exitCode !== null || server.signalCode !== null) continue;
    try {
      process.kill(-server.pid, signal);
    } catch {
      // already gone
    }
  }
}

function cleanUp() {
  stopServers("SIGKILL");
  rmSync(state, { recursive: true, force: true });
}

process.on("exit", cleanUp);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping the Workers`);
    process.exit(130);
  });
}

/** CPU seconds (user + system) used so far by the Workers' processes (Linux /proc; 0 elsewhere). */
function workersCpuSeconds() {
  const groups = new Set(servers.map((server) => server.pid));
  let ticks = 0;
  try {
    for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
      try {
        const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
        if (groups.has(Number(fields[2]))) ticks += Number(fields[11]) + Number(fields[12]);
      } catch {
        // gone meanwhile
      }
    }
  } catch {
    return 0;
  }
  return ticks / 100;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function run(command, args, log) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: WRANGLER_ENV });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(command)} ${args.join(" ")} exited ${code}`))));
  });
}

function failWithLog(name, logPath) {
  return (error) => {
    throw new Error(`${error.message}\n--- ${name}'s output ---\n${readFileSync(logPath, "utf8").slice(-4000)}`);
  };
}

/** A fresh local state with D1 migrated, once: each Worker gets a copy (one wrangler run, not two). */
async function migratedState() {
  const dir = path.join(state, "migrated");
  const logPath = path.join(state, "migrations.log");
  await run(WRANGLER, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", dir], createWriteStream(logPath)).catch(failWithLog("migrations", logPath));
  return dir;
}

/** A Worker on a free port with its own copy of the migrated state; answers its base URL. */
async function startWorker(name, migrated, vars = {}) {
  const dir = path.join(state, name);
  cpSync(migrated, dir, { recursive: true });
  const logPath = path.join(state, `${name}.log`);
  const log = createWriteStream(logPath);
  // A free port can be taken by another process before wrangler binds it: then wrangler exits, and
  // a second try takes other ports.
  return listen(name, dir, vars, log, logPath, { retry: true });
}

async function listen(name, dir, vars, log, logPath, { retry }) {
  const fail = failWithLog(`the ${name} worker`, logPath);
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const varArgs = Object.entries(vars).flatMap(([key, value]) => ["--var", `${key}:${value}`]);
  // --test-scheduled as `npm start`: GET /__scheduled runs the cron services (the scheduler, late runs…).
  const args = ["dev", "--test-scheduled", "--persist-to", dir, "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort), "--show-interactive-dev-session=false", ...varArgs];
  const server = spawn(WRANGLER, args, { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"], env: WRANGLER_ENV });
  servers.push(server);
  server.stdout.pipe(log, { end: false });
  server.stderr.pipe(log, { end: false });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) {
      if (retry) return listen(name, dir, vars, log, logPath, { retry: false });
      fail(new Error(`the ${name} worker exited ${server.exitCode} before answering`));
    }
    try {
      if ((await fetch(`${base}/api/health`)).ok) return base;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  fail(new Error(`the ${name} worker did not answer ${base}/api/health within ${STARTUP_TIMEOUT_MS / 1000} s`));
}

const started = Date.now();
rmSync(path.join(TESTS, "screenshots"), { recursive: true, force: true });
// The UI's build (when its sources changed) and D1's migrations at once: both are mostly waiting.
const building = new Promise((resolve, reject) => {
  const build = spawn(process.execPath, [path.join(ROOT, "scripts", "ensure-ui.mjs")], { cwd: ROOT, stdio: "inherit" });
  build.on("error", reject);
  build.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`building the UI failed (exit ${code})`))));
});
const [migrated] = await Promise.all([migratedState(), building]);
const [base, authBase] = await Promise.all([startWorker("open", migrated), startWorker("auth", migrated, { PREFECT_API_AUTH_STRING: AUTH_STRING })]);
console.log(`workers up in ${((Date.now() - started) / 1000).toFixed(1)} s: ${base} (no auth), ${authBase} (basic auth)`);

// A test stuck past 2 minutes fails (node:test has no timeout of its own) rather than hanging CI.
const tests = spawn(process.execPath, ["--test", `--test-concurrency=${process.env.UI_TEST_CONCURRENCY ?? 1}`, `--test-timeout=${120_000}`, ...files], {
  cwd: ROOT,
  stdio: "inherit",
  env: { ...process.env, UI_BASE_URL: base, UI_AUTH_BASE_URL: authBase, UI_AUTH_STRING: AUTH_STRING },
});
const code = await new Promise((resolve) => tests.on("exit", (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0))));
console.log(`browser suite ${code === 0 ? "passed" : "FAILED"} in ${((Date.now() - started) / 1000).toFixed(1)} s (the Workers used ${workersCpuSeconds().toFixed(0)} s of CPU)`);
// The Workers' output, for what the tests saw from outside (kept beside the screenshots).
const kept = path.join(TESTS, "screenshots");
mkdirSync(kept, { recursive: true });
for (const name of ["open", "auth"]) cpSync(path.join(state, `${name}.log`), path.join(kept, `worker-${name}.log`));
if (code !== 0) console.log(`the Workers' output: ${path.relative(ROOT, kept)}/worker-*.log`);
process.exit(code);
