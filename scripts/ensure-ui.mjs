#!/usr/bin/env node
// Builds the web UI (ui/ → ui/dist, served by the Worker as static assets) when it has not been
// built yet or when any of its sources changed since the last build; otherwise does nothing.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const UI = path.join(import.meta.dirname, "..", "ui");
const BUILT = path.join(UI, "dist", "index.html");
const SOURCES = ["src", "public", "index.html", "package.json", "vite.config.ts", "tailwind.config.ts", "postcss.config.cjs", "build"];

function newestChange(entry) {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(entry).reduce((newest, name) => Math.max(newest, newestChange(path.join(entry, name))), stat.mtimeMs);
}

const builtAt = existsSync(BUILT) ? statSync(BUILT).mtimeMs : 0;
// The root lockfile pins the UI's dependencies (one npm workspace).
const changedAt = Math.max(newestChange(path.join(UI, "..", "package-lock.json")), ...SOURCES.map((source) => newestChange(path.join(UI, source))));
if (builtAt > changedAt && !process.argv.includes("--force")) {
  console.log("ui/dist is up to date");
} else {
  console.log(builtAt ? "ui/ changed since the last build: building the UI" : "building the UI (ui/dist)");
  execFileSync("npm", ["run", "build", "-w", "ui"], { stdio: "inherit", cwd: path.join(UI, "..") });
}
