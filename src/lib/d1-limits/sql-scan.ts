/**
 * What a SQL text says about D1's per-statement limits, read once per distinct text: its size,
 * its parameters, the operands of its LIKE/GLOB patterns (their literal bytes and the parameters
 * they take), and its function calls with the most arguments. A small tokenizer, not a parser:
 * enough for the SQL drizzle and this code base write.
 */
export interface SqlShape {
  bytes: number;
  /** The highest parameter index (SQLite numbers `?` after the highest seen so far). */
  params: number;
  /** One per LIKE/GLOB: the bytes its pattern operand holds in literals, and the parameters in it (1-based). */
  patterns: { literalBytes: number; params: number[] }[];
  /** The function call with the most arguments, if any. */
  widestCall: { name: string; args: number } | null;
}

type Token =
  | { kind: "str"; bytes: number }
  | { kind: "word"; text: string }
  | { kind: "param"; index: number }
  | { kind: "op"; text: string };

const encoder = new TextEncoder();
export const utf8Bytes = (s: string): number => encoder.encode(s).length;

function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let highest = 0;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const ch = sql[i];
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "-" && sql[i + 1] === "-") {
      while (i < n && sql[i] !== "\n") i++;
    } else if (ch === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
    } else if (ch === "'") {
      let j = i + 1;
      for (;;) {
        if (j >= n) break;
        if (sql[j] === "'") {
          if (sql[j + 1] === "'") j += 2;
          else break;
        } else j++;
      }
      out.push({ kind: "str", bytes: utf8Bytes(sql.slice(i + 1, j).replace(/''/g, "'")) });
      i = j + 1;
    } else if (ch === '"' || ch === "`" || ch === "[") {
      const close = ch === "[" ? "]" : ch;
      let j = i + 1;
      while (j < n && !(sql[j] === close && sql[j + 1] !== close)) j += sql[j] === close ? 2 : 1;
      out.push({ kind: "op", text: "ident" });
      i = j + 1;
    } else if (ch === "?") {
      let j = i + 1;
      while (j < n && /[0-9]/.test(sql[j])) j++;
      const index = j > i + 1 ? Number(sql.slice(i + 1, j)) : highest + 1;
      highest = Math.max(highest, index);
      out.push({ kind: "param", index });
      i = j;
    } else if ((ch === ":" || ch === "@" || ch === "$") && /[A-Za-z_]/.test(sql[i + 1] ?? "")) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_]/.test(sql[j])) j++;
      highest += 1;
      out.push({ kind: "param", index: highest });
      i = j;
    } else if (/[A-Za-z_]/.test(ch)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$]/.test(sql[j])) j++;
      out.push({ kind: "word", text: sql.slice(i, j).toUpperCase() });
      i = j;
    } else if (/[0-9.]/.test(ch)) {
      let j = i + 1;
      while (j < n && /[0-9A-Za-z_.]/.test(sql[j])) j++;
      out.push({ kind: "op", text: "number" });
      i = j;
    } else {
      const two = sql.slice(i, i + 2);
      const op = ["||", "<=", ">=", "!=", "<>", "==", "<<", ">>", "->"].includes(two) ? two : ch;
      out.push({ kind: "op", text: op });
      i += op.length;
    }
  }
  return out;
}

/** Words that end a LIKE/GLOB pattern operand when met outside parentheses. */
const OPERAND_END = new Set([
  "AND", "OR", "ESCAPE", "THEN", "WHEN", "ELSE", "END", "ORDER", "GROUP", "LIMIT", "HAVING", "WINDOW", "UNION",
  "EXCEPT", "INTERSECT", "FROM", "WHERE", "ON", "IS", "NOT", "AS", "ASC", "DESC", "RETURNING", "BETWEEN", "IN",
]);
const OPERAND_END_OPS = new Set([",", ";", "=", "==", "!=", "<>", "<", ">", "<=", ">="]);

/** SQL words that may stand before `(` without being a function name. */
const NOT_FUNCTIONS = new Set([
  "IN", "EXISTS", "VALUES", "AS", "USING", "ON", "AND", "OR", "NOT", "WHERE", "SELECT", "THEN", "ELSE", "WHEN",
  "BY", "FROM", "JOIN", "SET", "CASE", "IS", "FILTER", "OVER", "LIKE", "GLOB", "ESCAPE", "BETWEEN", "RETURNING",
  "HAVING", "UNION", "ALL", "DISTINCT", "LIMIT", "OFFSET", "TABLE", "INTO", "WITH", "RECURSIVE", "DO", "UPDATE",
  "CONFLICT", "KEY", "CHECK", "UNIQUE", "REFERENCES", "END", "INDEX", "VIEW", "TRIGGER", "INSERT", "DELETE",
  "REPLACE_INTO", "ORDER", "GROUP", "EXCEPT", "INTERSECT", "MATERIALIZED",
]);

function patternOperand(tokens: Token[], from: number): { literalBytes: number; params: number[] } {
  let depth = 0;
  let literalBytes = 0;
  const params: number[] = [];
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === "op" && t.text === "(") depth++;
    else if (t.kind === "op" && t.text === ")") {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && ((t.kind === "word" && OPERAND_END.has(t.text)) || (t.kind === "op" && OPERAND_END_OPS.has(t.text)))) break;
    else if (t.kind === "str") literalBytes += t.bytes;
    else if (t.kind === "param") params.push(t.index);
  }
  return { literalBytes, params };
}

function callArgs(tokens: Token[], open: number): number {
  let depth = 0;
  let args = 0;
  let sawToken = false;
  for (let i = open + 1; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === "op" && t.text === "(") depth++;
    else if (t.kind === "op" && t.text === ")") {
      if (depth === 0) return sawToken ? args + 1 : 0;
      depth--;
    } else if (depth === 0 && t.kind === "op" && t.text === ",") args++;
    sawToken = true;
  }
  return args + 1;
}

export function scanSql(sql: string): SqlShape {
  const tokens = tokenize(sql);
  let params = 0;
  const patterns: SqlShape["patterns"] = [];
  let widestCall: SqlShape["widestCall"] = null;
  // DDL's table and index column lists would read as calls.
  const ddl = tokens[0]?.kind === "word" && tokens[0].text === "CREATE";
  tokens.forEach((t, i) => {
    if (t.kind === "param") params = Math.max(params, t.index);
    if (t.kind !== "word") return;
    if (t.text === "LIKE" || t.text === "GLOB") patterns.push(patternOperand(tokens, i + 1));
    const next = tokens[i + 1];
    const prev = tokens[i - 1];
    const afterInto = prev?.kind === "word" && (prev.text === "INTO" || prev.text === "TABLE");
    if (!ddl && !afterInto && next?.kind === "op" && next.text === "(" && !NOT_FUNCTIONS.has(t.text)) {
      const args = callArgs(tokens, i + 1);
      if (!widestCall || args > widestCall.args) widestCall = { name: t.text.toLowerCase(), args };
    }
  });
  return { bytes: utf8Bytes(sql), params, patterns, widestCall };
}
