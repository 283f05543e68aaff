/**
 * Syntax checking of user-supplied Jinja templates, as Prefect's `validate_user_template` does
 * before storing automation actions or answering /templates/validate: the template is tokenized
 * and parsed with Jinja's grammar (nothing is rendered), then its for-loops are counted. Errors
 * carry Jinja's own messages and line numbers, since clients show them verbatim.
 */
import { pyStrRepr } from "./python";

export class TemplateSyntaxError extends Error {
  constructor(
    readonly message: string,
    readonly lineno: number,
  ) {
    super(message);
  }
}

/** Prefect's sandbox limits (MAX_LOOP_COUNT, MAX_NESTED_LOOP_DEPTH); raised with line 0. */
const MAX_LOOP_COUNT = 10;
const MAX_NESTED_LOOP_DEPTH = 2;

/** Throws TemplateSyntaxError when the template does not parse or breaks the loop limits. */
export function validateUserTemplate(template: string): void {
  const parser = new Parser(template);
  parser.parse();
  if (parser.forCount === 0) return;
  if (parser.forCount > MAX_LOOP_COUNT)
    throw new TemplateSyntaxError(
      `Contains ${parser.forCount} for loops. Templates can contain no more than ${MAX_LOOP_COUNT} for loops.`,
      0,
    );
  if (parser.maxForDepth > MAX_NESTED_LOOP_DEPTH)
    throw new TemplateSyntaxError(
      `Contains nested for loops at a depth of ${parser.maxForDepth}. Templates can nest for loops no more than ${MAX_NESTED_LOOP_DEPTH} loops deep.`,
      0,
    );
}

/** The error of validateUserTemplate, or null when the template is valid. */
export function templateError(template: string): TemplateSyntaxError | null {
  try {
    validateUserTemplate(template);
    return null;
  } catch (err) {
    if (err instanceof TemplateSyntaxError) return err;
    throw err;
  }
}

/** Does this string look like a template at all (Prefect's `maybe_template`)? */
export function maybeTemplate(value: string): boolean {
  return value.includes("{{") || value.includes("{%");
}

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Lexer

interface Token {
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

function describeTokenType(type: string): string {
  return REVERSE_OPERATORS[type] ?? TOKEN_DESCRIPTIONS[type] ?? type;
}

function describeToken(token: Token): string {
  return token.type === "name" ? token.value : describeTokenType(token.type);
}

function describeTokenExpr(expr: string): string {
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
function* tokenize(input: string): Generator<Token> {
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
      if (body![1]) yield { lineno, type: "data", value: body![1] };
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

// ---------------------------------------------------------------------------------------------
// Parser: Jinja's grammar, checking syntax only (nodes are reduced to what assignment checks need).

type Node = { kind: string; assignable?: boolean };

const EOF = "eof";

class TokenStream {
  current: Token;
  private pushed: Token[] = [];
  private iter: Generator<Token>;

  constructor(source: string) {
    this.iter = tokenize(source);
    this.current = { lineno: 1, type: "initial", value: "" };
    this.next();
  }

  get more(): boolean {
    return this.pushed.length > 0 || this.current.type !== EOF;
  }

  next(): Token {
    const rv = this.current;
    if (this.pushed.length) this.current = this.pushed.shift()!;
    else if (this.current.type !== EOF) {
      const n = this.iter.next();
      this.current = n.done ? { lineno: this.current.lineno, type: EOF, value: "" } : n.value;
    }
    return rv;
  }

  look(): Token {
    const old = this.next();
    const result = this.current;
    this.pushed.push(result);
    this.current = old;
    return result;
  }

  skip(n = 1): void {
    for (let i = 0; i < n; i++) this.next();
  }

  test(expr: string, token = this.current): boolean {
    if (token.type === expr) return true;
    const colon = expr.indexOf(":");
    if (colon >= 0) return token.type === expr.slice(0, colon) && token.value === expr.slice(colon + 1);
    return false;
  }

  testAny(...exprs: string[]): boolean {
    return exprs.some((e) => this.test(e));
  }

  skipIf(expr: string): boolean {
    if (!this.test(expr)) return false;
    this.next();
    return true;
  }

  expect(expr: string): Token {
    if (!this.test(expr)) {
      const described = describeTokenExpr(expr);
      if (this.current.type === EOF)
        throw new TemplateSyntaxError(`unexpected end of template, expected ${pyStrRepr(described)}.`, this.current.lineno);
      throw new TemplateSyntaxError(`expected token ${pyStrRepr(described)}, got ${pyStrRepr(describeToken(this.current))}`, this.current.lineno);
    }
    return this.next();
  }
}

const COMPARE_OPERATORS = new Set(["eq", "ne", "lt", "lteq", "gt", "gteq"]);
const CONSTANT_NAMES = new Set(["true", "false", "True", "False", "none", "None"]);

class Parser {
  private stream: TokenStream;
  private tagStack: string[] = [];
  private endTokenStack: string[][] = [];
  private forDepth = 0;
  forCount = 0;
  maxForDepth = 0;

  constructor(source: string) {
    this.stream = new TokenStream(source);
  }

  /** The current token's type (a call, so that type narrowing does not stick across advances). */
  private cur(): string {
    return this.stream.current.type;
  }

  parse(): void {
    this.subparse(null);
  }

  private fail(message: string, lineno = this.stream.current.lineno): never {
    throw new TemplateSyntaxError(message, lineno);
  }

  private failUtEof(name: string | null, stack: string[][], lineno?: number): never {
    const expected = new Set(stack.flatMap((exprs) => exprs.map(describeTokenExpr)));
    const looking = stack.length ? stack[stack.length - 1].map((e) => pyStrRepr(describeTokenExpr(e))).join(" or ") : null;
    const message = [name === null ? "Unexpected end of template." : `Encountered unknown tag ${pyStrRepr(name)}.`];
    if (looking) {
      if (name !== null && expected.has(name))
        message.push(`You probably made a nesting mistake. Jinja is expecting this tag, but currently looking for ${looking}.`);
      else message.push(`Jinja was looking for the following tags: ${looking}.`);
    }
    if (this.tagStack.length) message.push(`The innermost block that needs to be closed is ${pyStrRepr(this.tagStack[this.tagStack.length - 1])}.`);
    this.fail(message.join(" "), lineno);
  }

  private failEof(endTokens: string[] | null, lineno?: number): never {
    const stack = [...this.endTokenStack];
    if (endTokens) stack.push(endTokens);
    this.failUtEof(null, stack, lineno);
  }

  /** Parses a body; answers whether it holds nothing but whitespace (and comments). */
  private subparse(endTokens: string[] | null): boolean {
    let blank = true;
    if (endTokens) this.endTokenStack.push(endTokens);
    try {
      while (this.stream.more) {
        const token = this.stream.current;
        if (token.type === "data") {
          if (token.value.trim() !== "") blank = false;
          this.stream.next();
        } else if (token.type === "variable_begin") {
          blank = false;
          this.stream.next();
          this.parseTuple({ withCondexpr: true });
          this.stream.expect("variable_end");
        } else if (token.type === "block_begin") {
          this.stream.next();
          if (endTokens && this.stream.testAny(...endTokens)) return blank;
          blank = false;
          this.parseStatement();
          this.stream.expect("block_end");
        } else {
          this.fail("internal parsing error");
        }
      }
    } finally {
      if (endTokens) this.endTokenStack.pop();
    }
    return blank;
  }

  private parseStatements(endTokens: string[], dropNeedle = false): boolean {
    this.stream.skipIf("colon");
    this.stream.expect("block_end");
    const blank = this.subparse(endTokens);
    if (this.cur() === EOF) this.failEof(endTokens);
    if (dropNeedle) this.stream.next();
    return blank;
  }

  /** The parser of each statement tag, as Jinja's parse_statement dispatches on the tag name. */
  private readonly statementParsers: Record<string, () => void> = {
    for: () => this.parseFor(),
    if: () => this.parseIf(),
    block: () => this.parseBlock(),
    extends: () => {
      this.stream.next();
      this.parseExpression();
    },
    print: () => this.parsePrint(),
    macro: () => this.parseMacro(),
    include: () => this.parseInclude(),
    from: () => this.parseFrom(),
    import: () => this.parseImport(),
    set: () => this.parseSet(),
    with: () => this.parseWith(),
    autoescape: () => this.parseWrapped(["name:endautoescape"], () => this.parseExpression()),
    call: () => this.parseCallBlock(),
    filter: () => this.parseWrapped(["name:endfilter"], () => this.parseFilter(true)),
  };

  /** `{% tag <head> %}…{% endtag %}`: the tag, its head, then the body up to and including its end. */
  private parseWrapped(end: string[], head: () => unknown): void {
    this.stream.next();
    head();
    this.parseStatements(end, true);
  }

  private parseStatement(): void {
    const token = this.stream.current;
    if (token.type !== "name") this.fail("tag name expected", token.lineno);
    this.tagStack.push(token.value);
    let popTag = true;
    try {
      const parse = Object.hasOwn(this.statementParsers, token.value) ? this.statementParsers[token.value] : undefined;
      if (parse) return parse();
      this.tagStack.pop();
      popTag = false;
      this.failUtEof(token.value, this.endTokenStack, token.lineno);
    } finally {
      if (popTag) this.tagStack.pop();
    }
  }

  private parseFor(): void {
    this.stream.expect("name:for");
    this.forCount += 1;
    this.forDepth += 1;
    this.maxForDepth = Math.max(this.maxForDepth, this.forDepth);
    try {
      this.parseAssignTarget({ extraEndRules: ["name:in"] });
      this.stream.expect("name:in");
      this.parseTuple({ withCondexpr: false, extraEndRules: ["name:recursive"] });
      if (this.stream.skipIf("name:if")) this.parseExpression();
      this.stream.skipIf("name:recursive");
      this.parseStatements(["name:endfor", "name:else"]);
      if (this.stream.next().value !== "endfor") this.parseStatements(["name:endfor"], true);
    } finally {
      this.forDepth -= 1;
    }
  }

  private parseIf(): void {
    this.stream.expect("name:if");
    for (;;) {
      this.parseTuple({ withCondexpr: false });
      this.parseStatements(["name:elif", "name:else", "name:endif"]);
      const token = this.stream.next();
      if (this.stream.test("name:elif", token)) continue;
      if (this.stream.test("name:else", token)) this.parseStatements(["name:endif"], true);
      break;
    }
  }

  private parseWith(): void {
    this.stream.next();
    this.parseCommaList("block_end", () => {
      this.parseAssignTarget({});
      this.stream.expect("assign");
      this.parseExpression();
    });
    this.parseStatements(["name:endwith"], true);
  }

  private parseBlock(): void {
    this.stream.next();
    const name = this.stream.expect("name").value;
    this.stream.skipIf("name:scoped");
    const required = this.stream.skipIf("name:required");
    if (this.cur() === "sub")
      this.fail("Block names in Jinja have to be valid Python identifiers and may not contain hyphens, use an underscore instead.");
    const blank = this.parseStatements(["name:endblock"], true);
    // Required blocks may hold only whitespace and comments.
    if (required && !blank) this.fail("Required blocks can only contain comments or whitespace");
    this.stream.skipIf(`name:${name}`);
  }

  private parseImportContext(): void {
    if (this.stream.testAny("name:with", "name:without") && this.stream.test("name:context", this.stream.look())) {
      this.stream.next();
      this.stream.skip();
    }
  }

  private parseInclude(): void {
    this.stream.next();
    this.parseExpression();
    if (this.stream.test("name:ignore") && this.stream.test("name:missing", this.stream.look())) this.stream.skip(2);
    this.parseImportContext();
  }

  private parseImport(): void {
    this.stream.next();
    this.parseExpression();
    this.stream.expect("name:as");
    this.parseAssignTarget({ nameOnly: true });
    this.parseImportContext();
  }

  private parseFrom(): void {
    this.stream.next();
    this.parseExpression();
    this.stream.expect("name:import");
    let names = 0;
    const parseContext = () => {
      if ((this.stream.current.value === "with" || this.stream.current.value === "without") && this.stream.test("name:context", this.stream.look())) {
        this.stream.next();
        this.stream.skip();
        return true;
      }
      return false;
    };
    for (;;) {
      if (names) this.stream.expect("comma");
      if (this.cur() === "name") {
        if (parseContext()) break;
        const target = this.stream.current;
        this.parseAssignTarget({ nameOnly: true });
        if (target.value.startsWith("_")) this.fail("names starting with an underline can not be imported", target.lineno);
        if (this.stream.skipIf("name:as")) this.parseAssignTarget({ nameOnly: true });
        names += 1;
        if (parseContext() || this.cur() !== "comma") break;
      } else {
        this.stream.expect("name");
      }
    }
  }

  private parseSignature(): void {
    let defaults = 0;
    this.stream.expect("lparen");
    this.parseCommaList("rparen", () => {
      this.parseAssignTarget({ nameOnly: true });
      if (this.stream.skipIf("assign")) {
        this.parseExpression();
        defaults += 1;
      } else if (defaults) this.fail("non-default argument follows default argument");
    });
    this.stream.expect("rparen");
  }

  private parseCallBlock(): void {
    const lineno = this.stream.next().lineno;
    if (this.cur() === "lparen") this.parseSignature();
    const call = this.parseExpression();
    if (call.kind !== "call") this.fail("expected call", lineno);
    this.parseStatements(["name:endcall"], true);
  }

  private parseMacro(): void {
    this.stream.next();
    this.parseAssignTarget({ nameOnly: true });
    this.parseSignature();
    this.parseStatements(["name:endmacro"], true);
  }

  private parsePrint(): void {
    this.stream.next();
    this.parseCommaList("block_end", () => this.parseExpression());
  }

  private parseSet(): void {
    this.stream.next();
    this.parseAssignTarget({ withNamespace: true });
    if (this.stream.skipIf("assign")) {
      this.parseTuple({});
      return;
    }
    this.parseFilter(false);
    this.parseStatements(["name:endset"], true);
  }

  private parseAssignTarget(opts: { withTuple?: boolean; nameOnly?: boolean; extraEndRules?: string[]; withNamespace?: boolean }): Node {
    let target: Node;
    const lineno = this.stream.current.lineno;
    if (opts.nameOnly) {
      const token = this.stream.expect("name");
      target = { kind: "name", assignable: !CONSTANT_NAMES.has(token.value) };
    } else if (opts.withTuple !== false) {
      target = this.parseTuple({ simplified: true, extraEndRules: opts.extraEndRules, withNamespace: opts.withNamespace });
    } else {
      target = this.parsePrimary(opts.withNamespace);
    }
    if (!target.assignable) this.fail(`can't assign to ${pyStrRepr(target.kind)}`, lineno);
    return target;
  }

  private parseExpression(withCondexpr = true): Node {
    return withCondexpr ? this.parseCondexpr() : this.parseOr();
  }

  private parseCondexpr(): Node {
    let expr = this.parseOr();
    while (this.stream.skipIf("name:if")) {
      this.parseOr();
      if (this.stream.skipIf("name:else")) this.parseCondexpr();
      expr = { kind: "condexpr" };
    }
    return expr;
  }

  private parseOr(): Node {
    return this.parseKeywordChain("or", () => this.parseAnd());
  }

  private parseAnd(): Node {
    return this.parseKeywordChain("and", () => this.parseNot());
  }

  /** `operand (keyword operand)*`, left-associative: Jinja's parse_or and parse_and. */
  private parseKeywordChain(keyword: "or" | "and", operand: () => Node): Node {
    let left = operand();
    while (this.stream.skipIf(`name:${keyword}`)) {
      operand();
      left = { kind: keyword };
    }
    return left;
  }

  private parseNot(): Node {
    if (this.stream.test("name:not")) {
      this.stream.next();
      this.parseNot();
      return { kind: "not" };
    }
    return this.parseCompare();
  }

  private parseCompare(): Node {
    const expr = this.parseMath1();
    let compared = false;
    for (;;) {
      const type = this.cur();
      if (COMPARE_OPERATORS.has(type)) {
        this.stream.next();
        this.parseMath1();
      } else if (this.stream.skipIf("name:in")) {
        this.parseMath1();
      } else if (this.stream.test("name:not") && this.stream.test("name:in", this.stream.look())) {
        this.stream.skip(2);
        this.parseMath1();
      } else break;
      compared = true;
    }
    return compared ? { kind: "compare" } : expr;
  }

  private parseBinary(types: string[], operand: () => Node, kind?: string): Node {
    let left = operand();
    while (types.includes(this.cur())) {
      const type = this.stream.next().type;
      operand();
      left = { kind: kind ?? type };
    }
    return left;
  }

  private parseMath1(): Node {
    return this.parseBinary(["add", "sub"], () => this.parseConcat());
  }

  private parseConcat(): Node {
    return this.parseBinary(["tilde"], () => this.parseMath2(), "concat");
  }

  private parseMath2(): Node {
    return this.parseBinary(["mul", "div", "floordiv", "mod"], () => this.parsePow());
  }

  private parsePow(): Node {
    return this.parseBinary(["pow"], () => this.parseUnary());
  }

  private parseUnary(withFilter = true): Node {
    const type = this.cur();
    let node: Node;
    if (type === "sub" || type === "add") {
      this.stream.next();
      this.parseUnary(false);
      node = { kind: type === "sub" ? "neg" : "pos" };
    } else {
      node = this.parsePrimary();
    }
    node = this.parsePostfix(node);
    if (withFilter) node = this.parseFilterExpr(node);
    return node;
  }

  private parsePrimary(withNamespace = false): Node {
    const token = this.stream.current;
    if (token.type === "name") {
      this.stream.next();
      if (CONSTANT_NAMES.has(token.value)) return { kind: "const" };
      if (withNamespace && this.cur() === "dot") {
        this.stream.next();
        this.stream.expect("name");
        return { kind: "nsref", assignable: true };
      }
      return { kind: "name", assignable: true };
    }
    if (token.type === "string") {
      this.stream.next();
      while (this.cur() === "string") this.stream.next();
      return { kind: "const" };
    }
    if (token.type === "integer" || token.type === "float") {
      this.stream.next();
      return { kind: "const" };
    }
    if (token.type === "lparen") {
      this.stream.next();
      const node = this.parseTuple({ explicitParentheses: true });
      this.stream.expect("rparen");
      return node;
    }
    if (token.type === "lbracket") return this.parseList();
    if (token.type === "lbrace") return this.parseDict();
    this.fail(`unexpected ${pyStrRepr(describeToken(token))}`, token.lineno);
  }

  private isTupleEnd(extraEndRules?: string[]): boolean {
    const type = this.cur();
    if (type === "variable_end" || type === "block_end" || type === "rparen") return true;
    return extraEndRules ? this.stream.testAny(...extraEndRules) : false;
  }

  private parseTuple(opts: { simplified?: boolean; withCondexpr?: boolean; extraEndRules?: string[]; explicitParentheses?: boolean; withNamespace?: boolean }): Node {
    const parse = opts.simplified ? () => this.parsePrimary(opts.withNamespace) : () => this.parseExpression(opts.withCondexpr !== false);
    const args: Node[] = [];
    let isTuple = false;
    for (;;) {
      if (args.length) this.stream.expect("comma");
      if (this.isTupleEnd(opts.extraEndRules)) break;
      args.push(parse());
      if (this.cur() === "comma") isTuple = true;
      else break;
    }
    if (!isTuple) {
      if (args.length) return args[0];
      if (!opts.explicitParentheses) this.fail(`Expected an expression, got ${pyStrRepr(describeToken(this.stream.current))}`);
    }
    return { kind: "tuple", assignable: args.every((a) => a.assignable) };
  }

  /** Items separated by commas up to `close` (left for the caller); `trailingComma`: one may end the list. */
  private parseCommaList(close: string, item: () => void, trailingComma = false): void {
    for (let first = true; this.cur() !== close; first = false) {
      if (!first) {
        this.stream.expect("comma");
        if (trailingComma && this.cur() === close) break;
      }
      item();
    }
  }

  private parseList(): Node {
    this.stream.expect("lbracket");
    this.parseCommaList("rbracket", () => this.parseExpression(), true);
    this.stream.expect("rbracket");
    return { kind: "list" };
  }

  private parseDict(): Node {
    this.stream.expect("lbrace");
    this.parseCommaList(
      "rbrace",
      () => {
        this.parseExpression();
        this.stream.expect("colon");
        this.parseExpression();
      },
      true,
    );
    this.stream.expect("rbrace");
    return { kind: "dict" };
  }

  private parsePostfix(node: Node): Node {
    for (;;) {
      const type = this.cur();
      if (type === "dot" || type === "lbracket") node = this.parseSubscript();
      else if (type === "lparen") node = this.parseCall();
      else break;
    }
    return node;
  }

  private parseFilterExpr(node: Node): Node {
    for (;;) {
      const type = this.cur();
      if (type === "pipe") node = this.parseFilter(false);
      else if (type === "name" && this.stream.current.value === "is") node = this.parseTest();
      else if (type === "lparen") node = this.parseCall();
      else break;
    }
    return node;
  }

  private parseSubscript(): Node {
    const token = this.stream.next();
    if (token.type === "dot") {
      const attr = this.stream.current;
      this.stream.next();
      if (attr.type === "name") return { kind: "getattr" };
      if (attr.type !== "integer") this.fail("expected name or number", attr.lineno);
      return { kind: "getitem" };
    }
    this.parseCommaList("rbracket", () => this.parseSubscribed());
    this.stream.expect("rbracket");
    return { kind: "getitem" };
  }

  private parseSubscribed(): void {
    if (this.cur() === "colon") {
      this.stream.next();
    } else {
      this.parseExpression();
      if (this.cur() !== "colon") return;
      this.stream.next();
    }
    if (this.cur() !== "colon" && this.cur() !== "rbracket" && this.cur() !== "comma") this.parseExpression();
    if (this.cur() === "colon") {
      this.stream.next();
      if (this.cur() !== "rbracket" && this.cur() !== "comma") this.parseExpression();
    }
  }

  private parseCallArgs(): void {
    const token = this.stream.expect("lparen");
    let dynArgs = false;
    let dynKwargs = false;
    let kwargs = false;
    const ensure = (ok: boolean) => {
      if (!ok) this.fail("invalid syntax for function call expression", token.lineno);
    };
    const argument = () => {
      if (this.cur() === "mul") {
        ensure(!dynArgs && !dynKwargs);
        this.stream.next();
        this.parseExpression();
        dynArgs = true;
      } else if (this.cur() === "pow") {
        ensure(!dynKwargs);
        this.stream.next();
        this.parseExpression();
        dynKwargs = true;
      } else if (this.cur() === "name" && this.stream.look().type === "assign") {
        ensure(!dynKwargs);
        this.stream.skip(2);
        this.parseExpression();
        kwargs = true;
      } else {
        ensure(!dynArgs && !dynKwargs && !kwargs);
        this.parseExpression();
      }
    };
    this.parseCommaList("rparen", argument, true);
    this.stream.expect("rparen");
  }

  private parseCall(): Node {
    this.parseCallArgs();
    return { kind: "call" };
  }

  private parseFilter(startInline: boolean): Node {
    while (this.cur() === "pipe" || startInline) {
      if (!startInline) this.stream.next();
      this.stream.expect("name");
      while (this.cur() === "dot") {
        this.stream.next();
        this.stream.expect("name");
      }
      if (this.cur() === "lparen") this.parseCallArgs();
      startInline = false;
    }
    return { kind: "filter" };
  }

  private parseTest(): Node {
    this.stream.next();
    const negated = this.stream.test("name:not");
    if (negated) this.stream.next();
    this.stream.expect("name");
    while (this.cur() === "dot") {
      this.stream.next();
      this.stream.expect("name");
    }
    const type = this.cur();
    if (type === "lparen") this.parseCallArgs();
    else if (
      ["name", "string", "integer", "float", "lparen", "lbracket", "lbrace"].includes(type) &&
      !this.stream.testAny("name:else", "name:or", "name:and")
    ) {
      if (this.stream.test("name:is")) this.fail("You cannot chain multiple tests with is");
      this.parsePostfix(this.parsePrimary());
    }
    return { kind: negated ? "not" : "test" };
  }
}

