// Reads a workerd process's memory: its resident set (/proc) and, through the V8 inspector, the
// JS heap of the worker's isolate after a full collection (what the isolate still holds).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import WebSocket from "ws";

/** Every workerd process under `rootPid` (Miniflare's, or wrangler dev's). */
export function workerdPids(rootPid = process.pid) {
  const table = execFileSync("ps", ["-e", "-o", "pid=,ppid=,comm="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .map(([pid, ppid, comm]) => ({ pid: Number(pid), ppid: Number(ppid), comm }));
  const under = new Set([rootPid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of table) if (under.has(p.ppid) && !under.has(p.pid)) (under.add(p.pid), (grew = true));
  }
  return table.filter((p) => under.has(p.pid) && p.comm === "workerd").map((p) => p.pid);
}

/** Resident set size of `pid` in bytes (and its peak, VmHWM), from /proc. */
export function rss(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key) => Number(status.match(new RegExp(`^${key}:\\s+(\\d+)`, "m"))?.[1] ?? NaN) * 1024;
  return { rss: kb("VmRSS"), peak: kb("VmHWM") };
}

/**
 * A Chrome DevTools Protocol session on the isolate serving `workerName` (listed by the inspector
 * at `inspectorUrl`/json/list). `heap()` collects garbage, then answers the used and total heap
 * (workerd runs the collection when the isolate next runs: pass a `nudge` that sends a request).
 */
export async function inspectIsolate(inspectorUrl, workerName) {
  const targets = await (await fetch(`${inspectorUrl}/json/list`)).json();
  const target = targets.find((t) => t.id === workerName) ?? targets[0];
  if (!target) throw new Error(`no inspector target at ${inspectorUrl}`);
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => (ws.once("open", resolve), ws.once("error", reject)));
  let nextId = 1;
  const waiting = new Map();
  ws.on("message", (data) => {
    const msg = JSON.parse(String(data));
    const w = waiting.get(msg.id);
    if (!w) return;
    waiting.delete(msg.id);
    if (msg.error) w.reject(new Error(msg.error.message));
    else w.resolve(msg.result);
  });
  const call = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
  await call("HeapProfiler.enable");
  return {
    target: target.title ?? target.id,
    /** `nudge` sends the worker a request: workerd runs the collection when the isolate next runs. */
    async heap(nudge = async () => {}) {
      let done = false;
      const collected = call("HeapProfiler.collectGarbage").finally(() => (done = true));
      // The collection waits for the isolate to run: nudge it until it has.
      while (!done) await Promise.race([collected, nudge().then(() => new Promise((r) => setTimeout(r, 100)))]);
      await collected;
      const { usedSize, totalSize } = await call("Runtime.getHeapUsage");
      return { used: usedSize, total: totalSize };
    },
    /** The heap in use now, garbage included (for peaks). */
    async used() {
      return (await call("Runtime.getHeapUsage")).usedSize;
    },
    close: () => ws.close(),
  };
}
