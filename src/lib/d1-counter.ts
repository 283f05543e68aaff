import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Benchmark instrumentation: wraps a D1 binding so every round trip to the database
 * (a statement's run/all/first/raw, or one batch) is counted for the request that made it.
 * Enabled only when the COUNT_D1_ROUND_TRIPS binding is "1" (the benchmarks set it), for requests
 * that carry an `x-count-d1-round-trips` header (the benchmarks sample some, so that counting
 * does not weigh on the throughput they time); the count is answered in `x-d1-round-trips`. The wrapped binding is made once per
 * binding, so the drizzle handle and prepared queries over it are reused as without counting.
 */
const requestCount = new AsyncLocalStorage<{ n: number }>();
const wrapped = new WeakMap<D1Database, D1Database>();

export function countingD1(d1: D1Database): D1Database {
  let db = wrapped.get(d1);
  if (!db) wrapped.set(d1, (db = wrap(d1)));
  return db;
}

/** Runs `fn`, counting the D1 round trips it makes through a countingD1 binding. */
export async function countRoundTrips(fn: () => Promise<void>): Promise<number> {
  const counter = { n: 0 };
  await requestCount.run(counter, fn);
  return counter.n;
}

function count(): void {
  const counter = requestCount.getStore();
  if (counter) counter.n += 1;
}

function wrap(d1: D1Database): D1Database {
  const wrapStatement = (stmt: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(stmt, {
      get(target, prop) {
        if (prop === UNWRAP) return target;
        const value = Reflect.get(target, prop, target);
        if (typeof value !== "function") return value;
        if (prop === "bind") return (...args: unknown[]) => wrapStatement(value.apply(target, args));
        if (prop === "run" || prop === "all" || prop === "first" || prop === "raw")
          return (...args: unknown[]) => {
            count();
            return value.apply(target, args);
          };
        return value.bind(target);
      },
    });
  return new Proxy(d1, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (prop === "prepare") return (sql: string) => wrapStatement(value.call(target, sql));
      if (prop === "batch")
        return (stmts: D1PreparedStatement[]) => {
          count();
          // The batch needs the real statements, not our proxies.
          return value.call(target, stmts.map((s) => (s as any)[UNWRAP] ?? s));
        };
      return value.bind(target);
    },
  });
}

const UNWRAP = Symbol("unwrap");
