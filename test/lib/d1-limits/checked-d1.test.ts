/// <reference types="vite/client" />
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { d1Binding } from "../../../src/db/client";
import { limitCheckedD1, withQueryBudget } from "../../../src/lib/d1-limits/checked-d1";

/** The test layer that holds every statement to production D1's limits (on for the whole suite). */
const db = () => limitCheckedD1(env.DB);
const refused = (p: Promise<unknown>) => expect(p).rejects.toThrow(/exceeds production D1's limits/);
const select = (sql: string, ...params: unknown[]) => db().prepare(sql).bind(...params).first();
const placeholders = (n: number) => Array.from({ length: n }, () => "?").join(", ");

describe("the D1 limit checker", () => {
  it("is on for the test suite, through the binding every part of the server uses", async () => {
    expect(env.CHECK_D1_LIMITS).toBe("1");
    await refused(d1Binding(env).prepare(`SELECT json_array(${placeholders(101)})`).bind(...Array(101).fill(1)).all());
  });

  it("refuses more than 100 bound parameters", async () => {
    await expect(select(`SELECT 1 WHERE 1 IN (${placeholders(100)})`, ...Array(100).fill(1))).resolves.toBeTruthy();
    await refused(select(`SELECT 1 WHERE 1 IN (${placeholders(101)})`, ...Array(101).fill(1)));
    await refused(select(`SELECT ?101`, ...Array(101).fill(1)));
  });

  it("refuses statements over 100 KB", async () => {
    await expect(select(`SELECT 1 -- ${"x".repeat(99_000)}`)).resolves.toBeTruthy();
    await refused(select(`SELECT 1 -- ${"x".repeat(100_000)}`));
  });

  it("refuses LIKE and GLOB patterns over 50 bytes, literal or bound", async () => {
    const fifty = "a".repeat(50);
    await expect(select(`SELECT 1 WHERE 'a' LIKE '${fifty}'`)).resolves.toBeNull();
    await refused(select(`SELECT 1 WHERE 'a' LIKE '${fifty}b'`));
    await refused(select(`SELECT 1 WHERE 'a' NOT GLOB '${fifty}b'`));
    await expect(select(`SELECT 1 WHERE lower('a') LIKE lower(?)`, fifty)).resolves.toBeNull();
    await refused(select(`SELECT 1 WHERE lower('a') LIKE lower(?)`, `${fifty}b`));
    // Concatenated: '%' + 49 bytes + '%'.
    await refused(select(`SELECT 1 WHERE 'a' LIKE '%' || ? || '%' AND 1 = ?`, "a".repeat(49), 1));
    // Bytes, not characters: 26 two-byte characters.
    await refused(select(`SELECT 1 WHERE 'a' GLOB ?`, "é".repeat(26)));
    await expect(select(`SELECT 1 WHERE 'a' GLOB ? AND 'b' = ?`, "é".repeat(25), "x".repeat(500))).resolves.toBeNull();
  });

  it("refuses function calls with more than 32 arguments", async () => {
    await expect(select(`SELECT coalesce(${Array(31).fill("NULL").join(", ")}, 1) AS v`)).resolves.toEqual({ v: 1 });
    await refused(select(`SELECT coalesce(${Array(32).fill("NULL").join(", ")}, 1) AS v`));
    await refused(select(`SELECT json_object(${Array.from({ length: 17 }, (_, i) => `'k${i}', (1 + ${i})`).join(", ")})`));
  });

  it("refuses bound strings and blobs over 2 MB", async () => {
    await expect(select(`SELECT length(?) AS n`, "x".repeat(2_000_000))).resolves.toEqual({ n: 2_000_000 });
    await refused(select(`SELECT length(?) AS n`, "x".repeat(2_000_001)));
    await refused(select(`SELECT length(?) AS n`, "é".repeat(1_000_001)));
    await refused(select(`SELECT length(?) AS n`, new Uint8Array(2_000_001)));
  });

  it("refuses a result over 50 MB (rows counted as D1 counts them), also in a batch", async () => {
    // n rows of 2 000 000 one-byte characters each.
    const rows = (n: number) => db().prepare(`WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < ?) SELECT replace(hex(zeroblob(1000000)), '0', 'x') AS v, i FROM r`).bind(n);
    const ok = await rows(24).raw();
    expect(ok.length).toBe(24);
    await refused(rows(25).all());
    await refused(rows(25).raw());
    await refused(db().batch([db().prepare("SELECT 1"), rows(25)]));
    // Two-byte characters count twice: 26 rows of 1 000 000.
    await refused(db().prepare(`WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 26) SELECT replace(hex(zeroblob(500000)), '0', 'é') AS v FROM r`).all());
  });

  it("refuses the 1 001st query of one invocation, a batch counting once", async () => {
    await withQueryBudget(async () => {
      // Issued at once (each counts as it is made), not one round trip after another.
      await Promise.all(Array.from({ length: 999 }, () => select("SELECT 1")));
      await db().batch(Array.from({ length: 10 }, () => db().prepare("SELECT ?").bind(1)));
      await refused(select("SELECT 1"));
    });
    // Another invocation starts afresh; outside any invocation nothing is counted.
    await withQueryBudget(() => expect(select("SELECT 1")).resolves.toBeTruthy());
  });

  it("refuses a batch holding one statement beyond the limits, running none of it", async () => {
    const name = `limits-${crypto.randomUUID()}`;
    await refused(
      db().batch([
        db().prepare("INSERT INTO variable (id, name, value, tags, created, updated) VALUES (?, ?, '1', '[]', '', '')").bind(crypto.randomUUID(), name),
        db().prepare(`SELECT 1 WHERE 'a' LIKE ?`).bind("a".repeat(51)),
      ]),
    );
    expect(await db().prepare("SELECT count(*) AS n FROM variable WHERE name = ?").bind(name).first()).toEqual({ n: 0 });
  });
});

describe("every part of the server reaches D1 through d1Binding", () => {
  it("no source file but db/client.ts reads the DB binding itself", () => {
    const sources = import.meta.glob("../../../src/**/*.ts", { query: "?raw", import: "default", eager: true }) as Record<string, string>;
    expect(Object.keys(sources).length).toBeGreaterThan(100);
    const offenders = Object.entries(sources)
      .filter(([path, text]) => !path.endsWith("src/db/client.ts") && /\benv\.DB\b|\.env\.DB\b/.test(text))
      .map(([path]) => path);
    expect(offenders).toEqual([]);
  });
});
