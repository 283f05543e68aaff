import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * @cloudflare/vitest-pool-workers 0.15.1 wraps the Worker's entrypoints (and Durable Objects) in a
 * class whose constructor puts a new Proxy around the class's prototype on every construction,
 * i.e. on every request a test sends (workers-sdk issues 15092, 15446). After n requests a
 * property read crosses n proxies: in one test file, 100 requests to /api/health took 1.6 s,
 * the fourth 100 took 61 s. This installs the proxy once per class (what the upstream fix does),
 * in the installed package's file; it leaves a file without that code (a fixed release) alone.
 * vitest.config.ts runs it before each run; it is idempotent.
 */
const BUGGY = "\tfunction Class(...args) {\n\t\tClass.prototype = new Proxy(Class.prototype, {";
const FIXED = "\tlet proxied = false;\n\tfunction Class(...args) {\n\t\tif (!proxied && (proxied = true)) Class.prototype = new Proxy(Class.prototype, {";

export function patchVitestPoolWorkers() {
  // The package's entry is dist/pool/index.mjs.
  const dist = path.dirname(path.dirname(fileURLToPath(import.meta.resolve("@cloudflare/vitest-pool-workers"))));
  const file = path.join(dist, "worker/lib/cloudflare/test-internal.mjs");
  const text = fs.readFileSync(file, "utf8");
  if (!text.includes(BUGGY)) return false;
  fs.writeFileSync(file, text.replace(BUGGY, FIXED));
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) console.log(patchVitestPoolWorkers() ? "patched" : "nothing to patch");
