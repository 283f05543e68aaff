import { scanSql, utf8Bytes, type SqlShape } from "./sql-scan";
import { utf8Length } from "../utf8";

/**
 * Production D1's limits that local workerd does not all enforce (Cloudflare's D1 limits page):
 * a statement this code sends must fit them, or it fails only once deployed.
 */
export const D1_LIMITS = {
  statementBytes: 100_000,
  boundParameters: 100,
  patternBytes: 50,
  functionArguments: 32,
  valueBytes: 2_000_000,
  queriesPerInvocation: 1_000,
  resultBytes: 50_000_000,
} as const;

export class D1LimitError extends Error {
  constructor(message: string, sql: string) {
    super(`exceeds production D1's limits: ${message} — in: ${sql.slice(0, 300)}`);
    this.name = "D1LimitError";
  }
}

const shapes = new Map<string, SqlShape>();

/** The statement's shape, scanned once per distinct SQL text. */
function shapeOf(sql: string): SqlShape {
  let shape = shapes.get(sql);
  if (!shape) {
    shape = scanSql(sql);
    if (shapes.size >= 2_000) shapes.clear();
    shapes.set(sql, shape);
  }
  return shape;
}

function valueBytes(v: unknown): number {
  if (typeof v === "string") return utf8Bytes(v);
  if (v instanceof ArrayBuffer) return v.byteLength;
  if (ArrayBuffer.isView(v)) return v.byteLength;
  if (typeof v === "number" || typeof v === "bigint") return String(v).length;
  return 0;
}

/** What in one statement (SQL and bound values) production D1 would refuse; empty when it fits. */
export function limitViolations(sql: string, params: readonly unknown[]): string[] {
  const shape = shapeOf(sql);
  const out: string[] = [];
  if (shape.bytes > D1_LIMITS.statementBytes) out.push(`a statement of ${shape.bytes} bytes (at most ${D1_LIMITS.statementBytes})`);
  const bound = Math.max(shape.params, params.length);
  if (bound > D1_LIMITS.boundParameters) out.push(`${bound} bound parameters (at most ${D1_LIMITS.boundParameters})`);
  for (const p of shape.patterns) {
    const bytes = p.literalBytes + p.params.reduce((sum, i) => sum + valueBytes(params[i - 1]), 0);
    if (bytes > D1_LIMITS.patternBytes) out.push(`a LIKE/GLOB pattern of ${bytes} bytes (at most ${D1_LIMITS.patternBytes})`);
  }
  if (shape.widestCall && shape.widestCall.args > D1_LIMITS.functionArguments)
    out.push(`${shape.widestCall.name}() with ${shape.widestCall.args} arguments (at most ${D1_LIMITS.functionArguments})`);
  params.forEach((v, i) => {
    const bytes = valueBytes(v);
    if (bytes > D1_LIMITS.valueBytes) out.push(`parameter ${i + 1} of ${bytes} bytes (at most ${D1_LIMITS.valueBytes})`);
  });
  return out;
}

/** A returned value's size as D1 counts a result: text as UTF-8, blobs by length, numbers as 8 bytes. */
function resultValueBytes(v: unknown): number {
  if (typeof v === "string") return utf8Length(v);
  if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return v.byteLength;
  if (Array.isArray(v)) return v.length; // a blob read back as an array of bytes
  return typeof v === "number" || typeof v === "bigint" ? 8 : 0;
}

/** The bytes of a statement's returned rows (objects, or arrays from `raw()`). */
export function resultBytes(rows: readonly unknown[]): number {
  let bytes = 0;
  for (const row of rows) {
    if (row === null || typeof row !== "object") bytes += resultValueBytes(row);
    else for (const v of Array.isArray(row) ? row : Object.values(row)) bytes += resultValueBytes(v);
  }
  return bytes;
}

/** What production D1 would refuse in a statement's result (it answers no part of a result over 50 MB). */
export function resultViolation(rows: readonly unknown[] | null | undefined): string | null {
  const bytes = rows ? resultBytes(rows) : 0;
  return bytes > D1_LIMITS.resultBytes ? `a result of ${bytes} bytes (at most ${D1_LIMITS.resultBytes})` : null;
}
