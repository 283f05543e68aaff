/**
 * A Python `re` pattern as a JavaScript RegExp that matches what Python's `re.search` matches —
 * jsonschema checks `pattern`, `patternProperties` and the `regex` format with Python's `re`.
 * Covered: `$` also before a final newline, `\A` `\Z`, Unicode `\d` and `\w`, `(?P<name>…)` and
 * `(?P=name)`, leading inline flags (i, m, s), `{,n}`, lone braces and brackets as literals, and
 * Python's refusal of unknown letter escapes. Anything else is left to JavaScript's syntax.
 * Null when Python would not compile the pattern (or JavaScript cannot).
 */
const PYTHON_LETTER_ESCAPES = new Set("abBdDfnrsStvwWZAxuUN0123456789".split(""));
const JS_SYNTAX = new Set("^$\\.*+?()[]{}|/".split(""));
const WORD = "\\p{L}\\p{N}_";

export function pythonRegex(pattern: string): RegExp | null {
  let flags = "u";
  let i = 0;
  const inline = /^\(\?([imsx]+)\)/.exec(pattern);
  if (inline) {
    if (inline[1].includes("x")) return null;
    for (const f of inline[1]) if (!flags.includes(f)) flags += f;
    i = inline[0].length;
  }
  const multiline = flags.includes("m");
  let out = "";
  let inClass = false;
  while (i < pattern.length) {
    const ch = pattern[i];
    if (ch === "\\") {
      const next = pattern[i + 1];
      if (next === undefined) return null;
      i += 2;
      if (/[A-Za-z0-9]/.test(next)) {
        if (!PYTHON_LETTER_ESCAPES.has(next)) return null;
        if (next === "d") out += "\\p{Nd}";
        else if (next === "D") out += "\\P{Nd}";
        else if (next === "w") out += inClass ? WORD : `[${WORD}]`;
        else if (next === "W") out += inClass ? "\\W" : `[^${WORD}]`;
        else if (next === "Z") out += "(?![\\s\\S])";
        else if (next === "A") out += "(?<![\\s\\S])";
        else if (next === "a") out += "\\x07";
        else if (next === "U") {
          const hex = pattern.slice(i, i + 8);
          if (!/^[0-9a-fA-F]{8}$/.test(hex)) return null;
          out += `\\u{${hex}}`;
          i += 8;
        } else out += `\\${next}`;
      } else if (JS_SYNTAX.has(next) || (inClass && next === "-")) out += `\\${next}`;
      else out += `\\u{${next.codePointAt(0)!.toString(16)}}`;
      continue;
    }
    if (inClass) {
      if (ch === "]" && !out.endsWith("[") && !out.endsWith("[^")) inClass = false;
      else if (ch === "[") {
        out += "\\[";
        i++;
        continue;
      }
      out += ch;
      i++;
      continue;
    }
    if (ch === "[") {
      inClass = true;
      out += ch;
      i++;
      // A leading `]` (after an optional `^`) is a literal in Python.
      if (pattern[i] === "^") {
        out += "^";
        i++;
      }
      if (pattern[i] === "]") {
        out += "\\]";
        i++;
      }
      continue;
    }
    if (ch === "$") out += multiline ? "$" : "(?=\\n?(?![\\s\\S]))";
    else if (ch === "{") {
      const quantifier = /^\{(\d*)(,(\d*))?\}/.exec(pattern.slice(i));
      if (quantifier && (quantifier[1] !== "" || quantifier[2] !== undefined)) {
        out += `{${quantifier[1] || "0"}${quantifier[2] ?? ""}}`;
        i += quantifier[0].length;
        continue;
      }
      out += "\\{";
    } else if (ch === "}" || ch === "]") out += `\\${ch}`;
    else if (ch === "(" && pattern.startsWith("(?P<", i)) {
      out += "(?<";
      i += 4;
      continue;
    } else if (ch === "(" && pattern.startsWith("(?P=", i)) {
      const end = pattern.indexOf(")", i);
      if (end < 0) return null;
      out += `\\k<${pattern.slice(i + 4, end)}>`;
      i = end + 1;
      continue;
    } else if (ch === "(" && pattern.startsWith("(?#", i)) {
      const end = pattern.indexOf(")", i);
      if (end < 0) return null;
      i = end + 1;
      continue;
    } else out += ch;
    i++;
  }
  if (inClass) return null;
  try {
    return new RegExp(out, flags);
  } catch {
    return null;
  }
}
