import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import path from "node:path";
import { kCurrentWorker } from "miniflare";
import { outboundRecorder } from "./test/support/outbound-recorder.mjs";
import { patchVitestPoolWorkers } from "./scripts/patch-vitest-pool-workers.mjs";

// Requests must not get slower with each one a test file sends (see the script).
patchVitestPoolWorkers();

const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));

export default defineConfig({
  plugins: [
    cloudflareTest({
      main: "./src/index.ts",
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: { TEST_MIGRATIONS: migrations, COUNT_D1_ROUND_TRIPS: "1", CHECK_D1_LIMITS: "1" },
        // wrangler.toml's [assets] (the built UI, ui/dist) with a two-file stand-in, so the suite
        // needs no UI build; its routing (run_worker_first, SPA fallback) stays wrangler.toml's.
        assets: { directory: path.join(import.meta.dirname, "test/fixtures/ui-dist") },
        // The Worker as a browser reaches it: behind the asset router (test/static-assets.test.ts).
        serviceBindings: { ASSET_ROUTER: kCurrentWorker },
        // The Worker's outbound fetch (notifications, webhooks) reaches a recorder, never the network.
        outboundService: outboundRecorder,
      },
    }),
  ],
  test: {
    setupFiles: ["./test/setup.ts"],
    include: ["test/**/*.test.ts"],
    // A watchdog, not a speed target: on a busy 2-core machine a test of 100 concurrent requests
    // or a replayed transcript can take longer than vitest's 5 s default without anything wrong.
    testTimeout: 20_000,
    // Each test file starts its own workerd runtime (≈2.5 s, mostly waiting): three files at a
    // time keep two cores busy (measured on test/routes: 1 worker 122 s, 2: 95 s, 3: 83 s, 4: 85 s).
    maxWorkers: 3,
    // Each file's runtime loads the Worker's dependencies module by module over a socket: bundled
    // once per run into a few files (Vite's dependency optimizer), they load faster.
    deps: {
      optimizer: {
        ssr: { enabled: true, include: ["zod", "hono", "hono/http-exception", "@hono/zod-openapi", "drizzle-orm", "drizzle-orm/d1", "drizzle-orm/sqlite-core"] },
      },
    },
  },
});
