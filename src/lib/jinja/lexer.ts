/**
 * Jinja's lexer (jinja2.lexer with the default environment settings): tokens with Jinja's types,
 * string literals decoded as Python does, and Jinja's own error messages and line numbers.
 */
import { pyStrRepr } from "../python";
import { TemplateSyntaxError } from "./errors";

export interface Token {
  lineno: number;
  type: string;
  value: string;
}

const OPERATORS: Record<string, string> = {
  "+": "add",
  "-": "sub",
  "/": "div",
  "//": "floordiv",
  "*": "mul",
  "%": "mod",
  "**": "pow",
  "~": "tilde",
  "[": "lbracket",
  "]": "rbracket",
  "(": "lparen",
  ")": "rparen",
  "{": "lbrace",
  "}": "rbrace",
  "==": "eq",
  "!=": "ne",
  ">": "gt",
  ">=": "gteq",
  "<": "lt",
  "<=": "lteq",
  "=": "assign",
  ".": "dot",
  ":": "colon",
  "|": "pipe",
  ",": "comma",
  ";": "semicolon",
};
const REVERSE_OPERATORS: Record<string, string> = Object.fromEntries(Object.entries(OPERATORS).map(([k, v]) => [v, k]));

const TOKEN_DESCRIPTIONS: Record<string, string> = {
  comment_begin: "begin of comment",
  comment_end: "end of comment",
  comment: "comment",
  linecomment: "comment",
  block_begin: "begin of statement block",
  block_end: "end of statement block",
  variable_begin: "begin of print statement",
  variable_end: "end of print statement",
  linestatement_begin: "begin of line statement",
  linestatement_end: "end of line statement",
  data: "template data / text",
  eof: "end of template",
};

export function describeTokenType(type: string): string {
  return REVERSE_OPERATORS[type] ?? TOKEN_DESCRIPTIONS[type] ?? type;
}

export function describeToken(token: Token): string {
  return token.type === "name" ? token.value : describeTokenType(token.type);
}

export function describeTokenExpr(expr: string): string {
  const colon = expr.indexOf(":");
  if (colon >= 0) {
    const type = expr.slice(0, colon);
    if (type === "name") return expr.slice(colon + 1);
    return describeTokenType(type);
  }
  return describeTokenType(expr);
}

/** Sticky regexes, matched at a position. */
const sticky = (source: string, flags = "") => new RegExp(source, `y${flags}`);

const WHITESPACE = sticky("\\s+");
const FLOAT = sticky("(?<!\\.)(?:\\d+_)*\\d+(?:(?:\\.(?:\\d+_)*\\d+)?e[+\\-]?(?:\\d+_)*\\d+|\\.(?:\\d+_)*\\d+)", "i");
const INTEGER = sticky("(?:0b(?:_?[0-1])+|0o(?:_?[0-7])+|0x(?:_?[\\da-f])+|[1-9](?:_?\\d)*|0(?:_?0)*)", "i");
const NAME = sticky("[\\p{L}\\p{Nl}_][\\p{L}\\p{Nl}\\p{Mn}\\p{Mc}\\p{Nd}\\p{Pc}]*", "u");
const STRING = sticky(`(?:'(?:[^'\\\\]*(?:\\\\.[^'\\\\]*)*)'|"(?:[^"\\\\]*(?:\\\\.[^"\\\\]*)*)")`, "s");
const OPERATOR = sticky(
  Object.keys(OPERATORS)
    .sort((a, b) => b.length - a.length)
    .map((op) => op.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"))
    .join("|"),
);
const BLOCK_END = sticky("(?:\\+%\\}|\\-%\\}\\s*|%\\})");
const VARIABLE_END = sticky("(?:\\-\\}\\}\\s*|\\}\\})");
const COMMENT_BODY = sticky("([\\s\\S]*?)(\\+#\\}|\\-#\\}\\s*|#\\})");
const RAW_BEGIN = sticky("\\{%(?:\\-|\\+|)\\s*raw\\s*(?:\\-%\\}\\s*|%\\})");
const RAW_BODY = sticky("([\\s\\S]*?)(\\{%(?:\\-|\\+|)\\s*endraw\\s*(?:\\+%\\}|\\-%\\}\\s*|%\\}))");

const countNewlines = (s: string) => (s.match(/\n/g) ?? []).length;

/** Tokens as Jinja's lexer yields them, lazily (a parse error may come before a later lex error). */
export function* tokenize(input: string): Generator<Token> {
  // Only \n, \r\n and \r are line breaks; one trailing newline is dropped.
  const lines = input.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const source = lines.join("\n");

  let pos = 0;
  let lineno = 1;
  const balancing: string[] = [];

  const fail = (message: string): never => {
    throw new TemplateSyntaxError(message, lineno);
  };

  while (pos < source.length) {
    // Root state: template data up to the next tag.
    const rest = source.slice(pos);
    const tag = /\{%|\{\{|\{#/.exec(rest);
    if (!tag) {
      yield { lineno, type: "data", value: rest };
      lineno += countNewlines(rest);
      pos = source.length;
      break;
    }
    let data = rest.slice(0, tag.index);
    const at = pos + tag.index;

    RAW_BEGIN.lastIndex = at;
    const raw = RAW_BEGIN.exec(source);
    const kind = raw ? "raw" : tag[0] === "{%" ? "block" : tag[0] === "{{" ? "variable" : "comment";
    const markerLength = raw ? raw[0].length : 2;
    const control = raw ? "" : (source[at + 2] === "-" || source[at + 2] === "+" ? source[at + 2] : "");
    let stripped = 0;
    if (control === "-" || (raw && /^\{%-/.test(raw[0]))) {
      const trimmed = data.replace(/\s+$/u, "");
      stripped = countNewlines(data.slice(trimmed.length));
      data = trimmed;
    }
    if (data) yield { lineno, type: "data", value: data };
    lineno += countNewlines(data) + stripped;
    pos = at + markerLength + control.length;

    if (kind === "raw") {
      lineno += countNewlines(raw![0]);
      RAW_BODY.lastIndex = pos;
      const body = RAW_BODY.exec(source);
      if (!body) {
        if (pos >= source.length) return;
        fail("Missing end of raw directive");
      }
      // `{%- endraw %}` strips the raw text's trailing whitespace.
      const rawText = /^\{%-/.test(body![2]) ? body![1].replace(/\s+$/u, "") : body![1];
      if (rawText) yield { lineno, type: "data", value: rawText };
      lineno += countNewlines(body![0]);
      pos += body![0].length;
      continue;
    }
    if (kind === "comment") {
      COMMENT_BODY.lastIndex = pos;
      const body = COMMENT_BODY.exec(source);
      if (!body) {
        if (pos >= source.length) return;
        fail("Missing end of comment tag");
      }
      lineno += countNewlines(body![0]);
      pos += body![0].length;
      continue;
    }

    yield { lineno, type: kind === "block" ? "block_begin" : "variable_begin", value: tag[0] + control };
    const end = kind === "block" ? BLOCK_END : VARIABLE_END;
    // Inside a tag: until its end marker, with brackets balanced.
    for (;;) {
      if (pos >= source.length) return;
      if (!balancing.length) {
        end.lastIndex = pos;
        const m = end.exec(source);
        if (m) {
          yield { lineno, type: kind === "block" ? "block_end" : "variable_end", value: m[0] };
          lineno += countNewlines(m[0]);
          pos += m[0].length;
          break;
        }
      }
      const m = matchAt(WHITESPACE) ?? matchAt(FLOAT) ?? matchAt(INTEGER) ?? matchAt(NAME) ?? matchAt(STRING) ?? matchAt(OPERATOR);
      if (!m) fail(`unexpected char ${pyStrRepr(String.fromCodePoint(source.codePointAt(pos)!))} at ${[...source.slice(0, pos)].length}`);
      const [type, text] = m!;
      if (type === "operator") {
        if (text === "{") balancing.push("}");
        else if (text === "(") balancing.push(")");
        else if (text === "[") balancing.push("]");
        else if (text === "}" || text === ")" || text === "]") {
          if (!balancing.length) fail(`unexpected '${text}'`);
          const expected = balancing.pop();
          if (expected !== text) fail(`unexpected '${text}', expected '${expected}'`);
        }
        yield { lineno, type: OPERATORS[text], value: text };
      } else if (type === "string") {
        yield { lineno, type: "string", value: unescapeString(text.slice(1, -1), lineno) };
      } else if (type !== "whitespace") {
        yield { lineno, type, value: text };
      }
      lineno += countNewlines(text);
      pos += text.length;
    }
  }

  function matchAt(re: RegExp): [string, string] | null {
    re.lastIndex = pos;
    const m = re.exec(source);
    if (!m || !m[0]) return null;
    const type =
      re === WHITESPACE ? "whitespace" : re === FLOAT ? "float" : re === INTEGER ? "integer" : re === NAME ? "name" : re === STRING ? "string" : "operator";
    return [type, m[0]];
  }
}

/** Python's unicode-escape decoding of a string literal's body; its errors are Jinja's. */
function unescapeString(body: string, lineno: number): string {
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch !== "\\") {
      out += ch;
      continue;
    }
    const next = body[i + 1];
    const hex = (n: number, label: string) => {
      const digits = body.slice(i + 2, i + 2 + n);
      if (digits.length < n || !/^[0-9a-fA-F]+$/.test(digits)) throw new TemplateSyntaxError(`truncated ${label} escape`, lineno);
      const code = parseInt(digits, 16);
      if (code > 0x10ffff) throw new TemplateSyntaxError("illegal Unicode character", lineno);
      out += String.fromCodePoint(code);
      i += 1 + n;
    };
    switch (next) {
      case "x":
        hex(2, "\\xXX");
        break;
      case "u":
        hex(4, "\\uXXXX");
        break;
      case "U":
        hex(8, "\\UXXXXXXXX");
        break;
      case "N": {
        const m = /^\{[^}]*\}/.exec(body.slice(i + 2));
        if (!m) throw new TemplateSyntaxError("malformed \\N character escape", lineno);
        out += "?";
        i += 1 + m[0].length;
        break;
      }
      default: {
        const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"', a: "\x07", b: "\b", f: "\f", v: "\v", "\n": "" };
        if (next !== undefined && next in simple) {
          out += simple[next];
          i += 1;
        } else if (next !== undefined && /[0-7]/.test(next)) {
          const m = /^[0-7]{1,3}/.exec(body.slice(i + 1))!;
          out += String.fromCharCode(parseInt(m[0], 8));
          i += m[0].length;
        } else {
          out += "\\";
        }
      }
    }
  }
  return out;
}

