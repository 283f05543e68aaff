import { scanSql, utf8Bytes, type SqlShape } from "./sql-scan";

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
