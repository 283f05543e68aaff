import { AsyncLocalStorage } from "node:async_hooks";
import { D1_LIMITS, D1LimitError, limitViolations, resultViolation } from "./limits";

/**
 * Tests only (the CHECK_D1_LIMITS binding, set in vitest.config.ts): a D1 binding that refuses,
 * as production D1 would, every statement beyond D1's limits — so that local tests fail where
 * only a deployment would. A refused statement never reaches the database; its promise rejects
 * with a D1LimitError (a 500 for the request). A statement whose result would exceed D1's 50 MB
 * is refused once its rows are back (local workerd answers them). Within `withQueryBudget`, the queries one
 * invocation makes are counted too: D1 counts them as subrequests, so a batch counts once.
 *
 * Patterns that come from the data at run time (e.g. `LIKE p.value` over a json_each) cannot be
 * seen here: code that builds them must keep them short itself.
 */
const budget = new AsyncLocalStorage<{ queries: number }>();
const wrapped = new WeakMap<D1Database, D1Database>();

export function limitCheckedD1(d1: D1Database): D1Database {
  let db = wrapped.get(d1);
  if (!db) wrapped.set(d1, (db = wrap(d1)));
  return db;
}

/** Runs `fn` as one invocation: its queries (through a limitCheckedD1 binding) count against D1's per-invocation limit. */
export function withQueryBudget<T>(fn: () => T): T {
  return budget.run({ queries: 0 }, fn);
}

function check(sql: string, params: readonly unknown[], queries: number): D1LimitError | null {
  const problems = limitViolations(sql, params);
  const spent = budget.getStore();
  if (spent) {
    spent.queries += queries;
    if (spent.queries > D1_LIMITS.queriesPerInvocation)
      problems.push(`${spent.queries} queries in one invocation (at most ${D1_LIMITS.queriesPerInvocation})`);
  }
  return problems.length ? new D1LimitError(problems.join("; "), sql) : null;
}

/** Answers a statement's result, or throws as production D1 would refuse it (too large). */
function checkResult<T>(sql: string, method: string | symbol, answer: T): T {
  const rows = method === "first" ? [answer] : method === "raw" ? (answer as unknown[]) : (answer as D1Result | undefined)?.results;
  const problem = resultViolation(rows);
  if (problem) throw new D1LimitError(problem, sql);
  return answer;
}

const UNWRAP = Symbol("unwrap");
const SOURCE = Symbol("source");
type Source = { sql: string; params: readonly unknown[] };

function wrapStatement(stmt: D1PreparedStatement, source: Source): D1PreparedStatement {
  return new Proxy(stmt, {
    get(target, prop) {
      if (prop === UNWRAP) return target;
      if (prop === SOURCE) return source;
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (prop === "bind") return (...args: unknown[]) => wrapStatement(value.apply(target, args), { sql: source.sql, params: args });
      if (prop === "run" || prop === "all" || prop === "first" || prop === "raw")
        return (...args: unknown[]) => {
          const refused = check(source.sql, source.params, 1);
          if (refused) return Promise.reject(refused);
          return (value.apply(target, args) as Promise<unknown>).then((answer) => checkResult(source.sql, prop, answer));
        };
      return value.bind(target);
    },
  });
}

function wrap(d1: D1Database): D1Database {
  return new Proxy(d1, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (prop === "prepare") return (sql: string) => wrapStatement(value.call(target, sql), { sql, params: [] });
      if (prop === "batch")
        return (stmts: D1PreparedStatement[]) => {
          const refused = stmts.reduce<D1LimitError | null>((found, s, i) => {
            const source: Source | undefined = (s as any)[SOURCE];
            return found ?? (source ? check(source.sql, source.params, i === 0 ? 1 : 0) : null);
          }, null);
          if (refused) return Promise.reject(refused);
          // The batch needs the real statements, not our proxies.
          return (value.call(target, stmts.map((s) => (s as any)[UNWRAP] ?? s)) as Promise<D1Result[]>).then((results) => {
            results.forEach((r, i) => checkResult((stmts[i] as any)[SOURCE]?.sql ?? "", "all", r));
            return results;
          });
        };
      if (prop === "exec")
        return (sql: string) => {
          const refused = check(sql, [], 1);
          return refused ? Promise.reject(refused) : value.call(target, sql);
        };
      return value.bind(target);
    },
  });
}
