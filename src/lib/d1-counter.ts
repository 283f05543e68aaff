/**
 * Benchmark instrumentation: wraps a D1 binding so every round trip to the database
 * (a statement's run/all/first/raw, or one batch) is counted. Enabled only when the
 * COUNT_D1_ROUND_TRIPS binding is "1" (scripts/bench-core.mjs sets it); the count is answered
 * in the `x-d1-round-trips` response header.
 */
export function countingD1(d1: D1Database): { db: D1Database; count: () => number } {
  let n = 0;
  const wrapStatement = (stmt: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(stmt, {
      get(target, prop) {
        if (prop === UNWRAP) return target;
        const value = Reflect.get(target, prop, target);
        if (typeof value !== "function") return value;
        if (prop === "bind") return (...args: unknown[]) => wrapStatement(value.apply(target, args));
        if (prop === "run" || prop === "all" || prop === "first" || prop === "raw")
          return (...args: unknown[]) => {
            n += 1;
            return value.apply(target, args);
          };
        return value.bind(target);
      },
    });
  const db = new Proxy(d1, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (prop === "prepare") return (sql: string) => wrapStatement(value.call(target, sql));
      if (prop === "batch")
        return (stmts: D1PreparedStatement[]) => {
          n += 1;
          // The batch needs the real statements, not our proxies.
          return value.call(target, stmts.map((s) => (s as any)[UNWRAP] ?? s));
        };
      return value.bind(target);
    },
  });
  return { db, count: () => n };
}

const UNWRAP = Symbol("unwrap");
