import { createWorkspaceRouteRecords, RouteGuardExecutioner } from "@prefecthq/prefect-ui-library";
import { createRouter, createWebHistory, type RouteRecordRaw } from "vue-router";

// Every page the library links to, by the library's route names (so its components' links work).
// Only what Prefect OSS has: no Cloud-only pages (notifications were 2.x's, collections Cloud's).
const workspaceRoutes = createWorkspaceRouteRecords({
  dashboard: () => import("@/pages/Dashboard.vue"),
  runs: () => import("@/pages/Runs.vue"),
  flowRun: () => import("@/pages/FlowRun.vue"),
  taskRun: () => import("@/pages/TaskRun.vue"),
  flows: () => import("@/pages/Flows.vue"),
  flow: () => import("@/pages/Flow.vue"),
  deployments: () => import("@/pages/Deployments.vue"),
  deployment: () => import("@/pages/Deployment.vue"),
  deploymentEdit: () => import("@/pages/DeploymentEdit.vue"),
  deploymentDuplicate: () => import("@/pages/DeploymentDuplicate.vue"),
  deploymentFlowRunCreate: () => import("@/pages/FlowRunCreate.vue"),
  workPools: () => import("@/pages/WorkPools.vue"),
  workPool: () => import("@/pages/WorkPool.vue"),
  workPoolCreate: () => import("@/pages/WorkPoolCreate.vue"),
  workPoolEdit: () => import("@/pages/WorkPoolEdit.vue"),
  workPoolQueue: () => import("@/pages/WorkPoolQueue.vue"),
  workPoolQueueCreate: () => import("@/pages/WorkPoolQueueCreate.vue"),
  workPoolQueueEdit: () => import("@/pages/WorkPoolQueueEdit.vue"),
  blocks: () => import("@/pages/Blocks.vue"),
  block: () => import("@/pages/Block.vue"),
  blockEdit: () => import("@/pages/BlockEdit.vue"),
  blocksCatalog: () => import("@/pages/BlocksCatalog.vue"),
  blocksCatalogView: () => import("@/pages/BlocksCatalogView.vue"),
  blockCreate: () => import("@/pages/BlockCreate.vue"),
  variables: () => import("@/pages/Variables.vue"),
  concurrencyLimits: () => import("@/pages/ConcurrencyLimits.vue"),
  concurrencyLimit: () => import("@/pages/ConcurrencyLimit.vue"),
  artifacts: () => import("@/pages/Artifacts.vue"),
  artifact: () => import("@/pages/Artifact.vue"),
  artifactKey: () => import("@/pages/ArtifactKey.vue"),
  automations: () => import("@/pages/Automations.vue"),
  automation: () => import("@/pages/Automation.vue"),
  automationCreate: () => import("@/pages/AutomationCreate.vue"),
  automationEdit: () => import("@/pages/AutomationEdit.vue"),
  events: () => import("@/pages/Events.vue"),
  event: () => import("@/pages/Event.vue"),
});

const routes: RouteRecordRaw[] = [
  {
    path: "/",
    component: () => import("@/layout/AppShell.vue"),
    children: [
      { path: "", name: "root", redirect: { name: "workspace.dashboard" } },
      ...(workspaceRoutes as RouteRecordRaw[]),
      { path: "settings", name: "settings", component: () => import("@/pages/Settings.vue") },
      {
        path: "login",
        name: "login",
        component: () => import("@/pages/Login.vue"),
        meta: { public: true },
        props: (route) => ({ redirect: typeof route.query.redirect === "string" ? route.query.redirect : undefined }),
      },
    ],
  },
  { path: "/:pathMatch(.*)*", name: "404", component: () => import("@/pages/NotFound.vue"), meta: { public: true } },
];

export const router = createRouter({ history: createWebHistory("/"), routes });

// The library registers guards (e.g. permission checks) through RouteGuardExecutioner.
router.beforeEach((to, from) => RouteGuardExecutioner.before(to, from));
router.afterEach((to, from) => RouteGuardExecutioner.after(to, from));
