/**
 * Dependency rules (npm run check:deps): dependencies point down only —
 *   routes → services → orchestration → (events, concurrency, task-queue) → db → lib, schemas
 * and nothing imports in a cycle. The Durable Object packages implement the ports orchestration
 * declares (src/orchestration/context.ts) and never reach up to services or routes.
 */
const DURABLE_OBJECTS = "^src/(events/event-stream|events/automations/automation-triggers|task-queue/task-run-queue|concurrency/(slot-ledger|concurrency-limit|run-turns))\\.ts$";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      severity: "error",
      comment:
        "A module never reaches itself through its imports (type-only imports count too). The one exception is src/env.ts: the Worker's bindings name the Durable Object classes for typed stubs (as `wrangler types` does), and env-types-only keeps it a types-only module.",
      from: { pathNot: "^src/env\\.ts$" },
      to: { circular: true, viaOnly: { pathNot: "^src/env\\.ts$" } },
    },
    {
      name: "env-types-only",
      severity: "error",
      comment: "src/env.ts (the Worker's bindings) imports types only.",
      from: { path: "^src/env\\.ts$" },
      to: { dependencyTypesNot: ["type-only", "type-import"] },
    },
    {
      name: "db-only-down",
      severity: "error",
      comment: "src/db is storage: it imports only src/db, src/lib and src/schemas.",
      from: { path: "^src/db/" },
      to: { path: "^src/", pathNot: "^src/(db|lib|schemas)/" },
    },
    {
      name: "durable-objects-not-up",
      severity: "error",
      comment: "A Durable Object never imports services or routes.",
      from: { path: DURABLE_OBJECTS },
      to: { path: "^src/(services|routes)/" },
    },
    {
      name: "packages-not-up",
      severity: "error",
      comment: "events, concurrency and task-queue never import services, routes or the app.",
      from: { path: "^src/(events|concurrency|task-queue)/" },
      to: { path: "^src/(services|routes|app\\.ts|index\\.ts)" },
    },
    {
      name: "packages-below-orchestration",
      severity: "error",
      comment:
        "events, concurrency and task-queue implement the ports orchestration declares (context.ts, with the state vocabulary of states.ts); they never call into its engine or run-state entry points.",
      from: { path: "^src/(events|concurrency|task-queue)/" },
      to: { path: "^src/orchestration/", pathNot: "^src/orchestration/(context|states)\\.ts$" },
    },
    {
      name: "lib-schemas-at-the-bottom",
      severity: "error",
      comment: "src/lib and src/schemas import only each other (and the binding types of src/env.ts).",
      from: { path: "^src/(lib|schemas)/" },
      to: { path: "^src/", pathNot: ["^src/(lib|schemas)/", "^src/env\\.ts$"] },
    },
    {
      name: "orchestration-not-up",
      severity: "error",
      comment: "Orchestration never imports services or routes.",
      from: { path: "^src/orchestration/" },
      to: { path: "^src/(services|routes)/" },
    },
    {
      name: "services-not-routes",
      severity: "error",
      comment: "Services never import routes.",
      from: { path: "^src/services/" },
      to: { path: "^src/routes/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    includeOnly: "^src/",
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"] },
  },
};
