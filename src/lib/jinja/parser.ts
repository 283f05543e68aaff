/**
 * Jinja's parser (jinja2.parser): the template's syntax tree, with Jinja's error messages and
 * line numbers, and its for-loops counted for Prefect's limits.
 */
import { PyBigInt, PyFloat, pyStrRepr } from "../python";
import { TemplateSyntaxError } from "./errors";
import { describeToken, describeTokenExpr, type Token, tokenize } from "./lexer";
import type { CallArgs, Expr, Signature, Stmt, TemplateAst } from "./nodes";

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
const CONSTANTS: Record<string, unknown> = { true: true, True: true, false: false, False: false, none: null, None: null };

const isAssignable = (node: Expr): boolean =>
  node.t === "nsref" || (node.t === "name" && !Object.hasOwn(CONSTANTS, node.name)) || (node.t === "tuple" && node.items.every(isAssignable));

const KIND_NAMES: Record<string, string> = {
  const: "const",
  name: "name",
  tuple: "tuple",
  list: "list",
  dict: "dict",
  getattr: "getattr",
  getitem: "getitem",
  call: "call",
  filter: "filter",
  test: "test",
  condexpr: "condexpr",
  and: "and",
  or: "or",
  not: "not",
  neg: "neg",
  pos: "pos",
  compare: "compare",
  concat: "concat",
  slice: "slice",
  nsref: "nsref",
};

/** Jinja's class name of a node, as its "can't assign to" message names it (lower-cased). */
function kindName(node: Expr): string {
  if (node.t === "bin") return { add: "add", sub: "sub", mul: "mul", div: "div", floordiv: "floordiv", mod: "mod", pow: "pow" }[node.op] ?? node.op;
  return KIND_NAMES[node.t] ?? node.t;
}

/** An integer literal: a number, or a PyBigInt beyond a double's exact integers. */
function parseInteger(text: string): number | PyBigInt {
  const clean = text.replace(/_/g, "").toLowerCase();
  const big = /^0[box]/.test(clean) ? BigInt(clean) : BigInt(clean.replace(/^0+(?=\d)/, ""));
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : new PyBigInt(big.toString());
}

export class Parser {
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

  parse(): TemplateAst {
    const body = this.subparse(null).body;
    return { body, forCount: this.forCount, maxForDepth: this.maxForDepth };
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

  /** Parses a body; `blank` says whether it holds nothing but whitespace (and comments). */
  private subparse(endTokens: string[] | null): { body: Stmt[]; blank: boolean } {
    let blank = true;
    const body: Stmt[] = [];
    let output: (string | Expr)[] = [];
    let outputLine = 0;
    const flush = () => {
      if (output.length) body.push({ t: "output", nodes: output, lineno: outputLine });
      output = [];
    };
    const emit = (node: string | Expr, lineno: number) => {
      if (!output.length) outputLine = lineno;
      output.push(node);
    };
    if (endTokens) this.endTokenStack.push(endTokens);
    try {
      while (this.stream.more) {
        const token = this.stream.current;
        if (token.type === "data") {
          if (token.value.trim() !== "") blank = false;
          emit(token.value, token.lineno);
          this.stream.next();
        } else if (token.type === "variable_begin") {
          blank = false;
          this.stream.next();
          emit(this.parseTuple({ withCondexpr: true }), token.lineno);
          this.stream.expect("variable_end");
        } else if (token.type === "block_begin") {
          flush();
          this.stream.next();
          if (endTokens && this.stream.testAny(...endTokens)) return { body, blank };
          blank = false;
          body.push(...this.parseStatement());
          this.stream.expect("block_end");
        } else {
          this.fail("internal parsing error");
        }
      }
      flush();
    } finally {
      if (endTokens) this.endTokenStack.pop();
    }
    return { body, blank };
  }

  private parseStatements(endTokens: string[], dropNeedle = false): Stmt[] {
    return this.parseStatementsBlank(endTokens, dropNeedle).body;
  }

  private parseStatementsBlank(endTokens: string[], dropNeedle = false): { body: Stmt[]; blank: boolean } {
    this.stream.skipIf("colon");
    this.stream.expect("block_end");
    const result = this.subparse(endTokens);
    if (this.cur() === EOF) this.failEof(endTokens);
    if (dropNeedle) this.stream.next();
    return result;
  }

  /** The parser of each statement tag, as Jinja's parse_statement dispatches on the tag name. */
  private readonly statementParsers: Record<string, () => Stmt[]> = {
    for: () => [this.parseFor()],
    if: () => [this.parseIf()],
    block: () => [this.parseBlock()],
    extends: () => {
      const lineno = this.stream.next().lineno;
      this.parseExpression();
      return [{ t: "unsupported", tag: "extends", lineno }];
    },
    print: () => this.parsePrint(),
    macro: () => [this.parseMacro()],
    include: () => [this.parseInclude()],
    from: () => [this.parseFrom()],
    import: () => [this.parseImport()],
    set: () => [this.parseSet()],
    with: () => [this.parseWith()],
    autoescape: () => {
      const lineno = this.stream.next().lineno;
      const value = this.parseExpression();
      return [{ t: "autoescape", value, body: this.parseStatements(["name:endautoescape"], true), lineno }];
    },
    call: () => [this.parseCallBlock()],
    filter: () => {
      const lineno = this.stream.next().lineno;
      const filter = this.parseFilter(null, true);
      return [{ t: "filterblock", filter, body: this.parseStatements(["name:endfilter"], true), lineno }];
    },
  };

  private parseStatement(): Stmt[] {
    const token = this.stream.current;
    if (token.type !== "name") this.fail("tag name expected", token.lineno);
    this.tagStack.push(token.value);
    let popTag = true;
    try {
      const parse = Object.hasOwn(this.statementParsers, token.value) ? this.statementParsers[token.value] : undefined;
      if (parse) return parse();
      this.tagStack.pop();
      popTag = false;
      return this.failUtEof(token.value, this.endTokenStack, token.lineno);
    } finally {
      if (popTag) this.tagStack.pop();
    }
  }

  private parseFor(): Stmt {
    const lineno = this.stream.expect("name:for").lineno;
    this.forCount += 1;
    this.forDepth += 1;
    this.maxForDepth = Math.max(this.maxForDepth, this.forDepth);
    try {
      const target = this.parseAssignTarget({ extraEndRules: ["name:in"] });
      this.stream.expect("name:in");
      const iter = this.parseTuple({ withCondexpr: false, extraEndRules: ["name:recursive"] });
      const test = this.stream.skipIf("name:if") ? this.parseExpression() : null;
      const recursive = this.stream.skipIf("name:recursive");
      const body = this.parseStatements(["name:endfor", "name:else"]);
      const elseBody = this.stream.next().value === "endfor" ? [] : this.parseStatements(["name:endfor"], true);
      return { t: "for", target, iter, body, else: elseBody, test, recursive, lineno };
    } finally {
      this.forDepth -= 1;
    }
  }

  private parseIf(): Stmt {
    const lineno = this.stream.expect("name:if").lineno;
    const root: Stmt & { t: "if" } = { t: "if", test: this.parseTuple({ withCondexpr: false }), body: [], else: [], lineno };
    let node = root;
    for (;;) {
      node.body = this.parseStatements(["name:elif", "name:else", "name:endif"]);
      const token = this.stream.next();
      if (this.stream.test("name:elif", token)) {
        const next: Stmt & { t: "if" } = { t: "if", test: this.parseTuple({ withCondexpr: false }), body: [], else: [], lineno: token.lineno };
        node.else = [next];
        node = next;
        continue;
      }
      if (this.stream.test("name:else", token)) node.else = this.parseStatements(["name:endif"], true);
      break;
    }
    return root;
  }

  private parseWith(): Stmt {
    const lineno = this.stream.next().lineno;
    const targets: Expr[] = [];
    const values: Expr[] = [];
    this.parseCommaList("block_end", () => {
      targets.push(this.parseAssignTarget({}));
      this.stream.expect("assign");
      values.push(this.parseExpression());
    });
    return { t: "with", targets, values, body: this.parseStatements(["name:endwith"], true), lineno };
  }

  private parseBlock(): Stmt {
    const lineno = this.stream.next().lineno;
    const name = this.stream.expect("name").value;
    this.stream.skipIf("name:scoped");
    const required = this.stream.skipIf("name:required");
    if (this.cur() === "sub")
      this.fail("Block names in Jinja have to be valid Python identifiers and may not contain hyphens, use an underscore instead.");
    const { body, blank } = this.parseStatementsBlank(["name:endblock"], true);
    // Required blocks may hold only whitespace and comments.
    if (required && !blank) this.fail("Required blocks can only contain comments or whitespace");
    this.stream.skipIf(`name:${name}`);
    return { t: "block", name, body, lineno };
  }

  private parseImportContext(): void {
    if (this.stream.testAny("name:with", "name:without") && this.stream.test("name:context", this.stream.look())) {
      this.stream.next();
      this.stream.skip();
    }
  }

  private parseInclude(): Stmt {
    const lineno = this.stream.next().lineno;
    this.parseExpression();
    if (this.stream.test("name:ignore") && this.stream.test("name:missing", this.stream.look())) this.stream.skip(2);
    this.parseImportContext();
    return { t: "unsupported", tag: "include", lineno };
  }

  private parseImport(): Stmt {
    const lineno = this.stream.next().lineno;
    this.parseExpression();
    this.stream.expect("name:as");
    this.parseAssignTarget({ nameOnly: true });
    this.parseImportContext();
    return { t: "unsupported", tag: "import", lineno };
  }

  private parseFrom(): Stmt {
    const lineno = this.stream.next().lineno;
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
    return { t: "unsupported", tag: "from", lineno };
  }

  private parseSignature(): Signature {
    const sig: Signature = { args: [], defaults: [] };
    this.stream.expect("lparen");
    this.parseCommaList("rparen", () => {
      const arg = this.parseAssignTarget({ nameOnly: true }) as Expr & { t: "name" };
      if (this.stream.skipIf("assign")) sig.defaults.push(this.parseExpression());
      else if (sig.defaults.length) this.fail("non-default argument follows default argument");
      sig.args.push(arg.name);
    });
    this.stream.expect("rparen");
    return sig;
  }

  private parseCallBlock(): Stmt {
    const lineno = this.stream.next().lineno;
    const sig = this.cur() === "lparen" ? this.parseSignature() : { args: [], defaults: [] };
    const call = this.parseExpression();
    if (call.t !== "call") this.fail("expected call", lineno);
    return { t: "callblock", call, sig, body: this.parseStatements(["name:endcall"], true), lineno };
  }

  private parseMacro(): Stmt {
    const lineno = this.stream.next().lineno;
    const name = (this.parseAssignTarget({ nameOnly: true }) as Expr & { t: "name" }).name;
    const sig = this.parseSignature();
    return { t: "macro", name, sig, body: this.parseStatements(["name:endmacro"], true), lineno };
  }

  private parsePrint(): Stmt[] {
    const lineno = this.stream.next().lineno;
    const nodes: Expr[] = [];
    this.parseCommaList("block_end", () => nodes.push(this.parseExpression()));
    return [{ t: "output", nodes, lineno }];
  }

  private parseSet(): Stmt {
    const lineno = this.stream.next().lineno;
    const target = this.parseAssignTarget({ withNamespace: true });
    if (this.stream.skipIf("assign")) return { t: "assign", target, expr: this.parseTuple({}), lineno };
    const filter = this.cur() === "pipe" ? this.parseFilter(null) : null;
    return { t: "assignblock", target, filter, body: this.parseStatements(["name:endset"], true), lineno };
  }

  private parseAssignTarget(opts: { withTuple?: boolean; nameOnly?: boolean; extraEndRules?: string[]; withNamespace?: boolean }): Expr {
    let target: Expr;
    const lineno = this.stream.current.lineno;
    if (opts.nameOnly) {
      const token = this.stream.expect("name");
      target = { t: "name", name: token.value };
    } else if (opts.withTuple !== false) {
      target = this.parseTuple({ simplified: true, extraEndRules: opts.extraEndRules, withNamespace: opts.withNamespace });
    } else {
      target = this.parsePrimary(opts.withNamespace);
    }
    if (!isAssignable(target)) this.fail(`can't assign to ${pyStrRepr(kindName(target))}`, lineno);
    return target;
  }

  private parseExpression(withCondexpr = true): Expr {
    return withCondexpr ? this.parseCondexpr() : this.parseOr();
  }

  private parseCondexpr(): Expr {
    let expr = this.parseOr();
    while (this.stream.skipIf("name:if")) {
      const test = this.parseOr();
      const elseExpr = this.stream.skipIf("name:else") ? this.parseCondexpr() : null;
      expr = { t: "condexpr", test, then: expr, else: elseExpr };
    }
    return expr;
  }

  private parseOr(): Expr {
    return this.parseKeywordChain("or", () => this.parseAnd());
  }

  private parseAnd(): Expr {
    return this.parseKeywordChain("and", () => this.parseNot());
  }

  /** `operand (keyword operand)*`, left-associative: Jinja's parse_or and parse_and. */
  private parseKeywordChain(keyword: "or" | "and", operand: () => Expr): Expr {
    let left = operand();
    while (this.stream.skipIf(`name:${keyword}`)) left = { t: keyword, left, right: operand() };
    return left;
  }

  private parseNot(): Expr {
    if (this.stream.test("name:not")) {
      this.stream.next();
      return { t: "not", node: this.parseNot() };
    }
    return this.parseCompare();
  }

  private parseCompare(): Expr {
    const expr = this.parseMath1();
    const ops: [string, Expr][] = [];
    for (;;) {
      const type = this.cur();
      if (COMPARE_OPERATORS.has(type)) {
        this.stream.next();
        ops.push([type, this.parseMath1()]);
      } else if (this.stream.skipIf("name:in")) {
        ops.push(["in", this.parseMath1()]);
      } else if (this.stream.test("name:not") && this.stream.test("name:in", this.stream.look())) {
        this.stream.skip(2);
        ops.push(["notin", this.parseMath1()]);
      } else break;
    }
    return ops.length ? { t: "compare", expr, ops } : expr;
  }

  private parseBinary(types: string[], operand: () => Expr): Expr {
    let left = operand();
    while (types.includes(this.cur())) {
      const op = this.stream.next().type;
      left = { t: "bin", op, left, right: operand() };
    }
    return left;
  }

  private parseMath1(): Expr {
    return this.parseBinary(["add", "sub"], () => this.parseConcat());
  }

  private parseConcat(): Expr {
    const items = [this.parseMath2()];
    while (this.cur() === "tilde") {
      this.stream.next();
      items.push(this.parseMath2());
    }
    return items.length === 1 ? items[0] : { t: "concat", items };
  }

  private parseMath2(): Expr {
    return this.parseBinary(["mul", "div", "floordiv", "mod"], () => this.parsePow());
  }

  private parsePow(): Expr {
    return this.parseBinary(["pow"], () => this.parseUnary());
  }

  private parseUnary(withFilter = true): Expr {
    const type = this.cur();
    let node: Expr;
    if (type === "sub" || type === "add") {
      this.stream.next();
      node = { t: type === "sub" ? "neg" : "pos", node: this.parseUnary(false) };
    } else {
      node = this.parsePrimary();
    }
    node = this.parsePostfix(node);
    if (withFilter) node = this.parseFilterExpr(node);
    return node;
  }

  private parsePrimary(withNamespace = false): Expr {
    const token = this.stream.current;
    if (token.type === "name") {
      this.stream.next();
      if (Object.hasOwn(CONSTANTS, token.value)) return { t: "const", value: CONSTANTS[token.value] };
      if (withNamespace && this.cur() === "dot") {
        this.stream.next();
        const attr = this.stream.expect("name");
        return { t: "nsref", name: token.value, attr: attr.value };
      }
      return { t: "name", name: token.value };
    }
    if (token.type === "string") {
      this.stream.next();
      let value = token.value;
      while (this.cur() === "string") value += this.stream.next().value;
      return { t: "const", value };
    }
    if (token.type === "integer") {
      this.stream.next();
      return { t: "const", value: parseInteger(token.value) };
    }
    if (token.type === "float") {
      this.stream.next();
      return { t: "const", value: new PyFloat(Number(token.value.replace(/_/g, ""))) };
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

  private parseTuple(opts: { simplified?: boolean; withCondexpr?: boolean; extraEndRules?: string[]; explicitParentheses?: boolean; withNamespace?: boolean }): Expr {
    const parse = opts.simplified ? () => this.parsePrimary(opts.withNamespace) : () => this.parseExpression(opts.withCondexpr !== false);
    const args: Expr[] = [];
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
    return { t: "tuple", items: args };
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

  private parseList(): Expr {
    this.stream.expect("lbracket");
    const items: Expr[] = [];
    this.parseCommaList("rbracket", () => items.push(this.parseExpression()), true);
    this.stream.expect("rbracket");
    return { t: "list", items };
  }

  private parseDict(): Expr {
    this.stream.expect("lbrace");
    const pairs: [Expr, Expr][] = [];
    this.parseCommaList(
      "rbrace",
      () => {
        const key = this.parseExpression();
        this.stream.expect("colon");
        pairs.push([key, this.parseExpression()]);
      },
      true,
    );
    this.stream.expect("rbrace");
    return { t: "dict", pairs };
  }

  private parsePostfix(node: Expr): Expr {
    for (;;) {
      const type = this.cur();
      if (type === "dot" || type === "lbracket") node = this.parseSubscript(node);
      else if (type === "lparen") node = { t: "call", fn: node, ...this.parseCallArgs() };
      else break;
    }
    return node;
  }

  private parseFilterExpr(node: Expr): Expr {
    for (;;) {
      const type = this.cur();
      if (type === "pipe") node = this.parseFilter(node);
      else if (type === "name" && this.stream.current.value === "is") node = this.parseTest(node);
      else if (type === "lparen") node = { t: "call", fn: node, ...this.parseCallArgs() };
      else break;
    }
    return node;
  }

  private parseSubscript(node: Expr): Expr {
    const token = this.stream.next();
    if (token.type === "dot") {
      const attr = this.stream.current;
      this.stream.next();
      if (attr.type === "name") return { t: "getattr", obj: node, attr: attr.value };
      if (attr.type !== "integer") this.fail("expected name or number", attr.lineno);
      return { t: "getitem", obj: node, arg: { t: "const", value: parseInteger(attr.value) } };
    }
    const args: Expr[] = [];
    this.parseCommaList("rbracket", () => args.push(this.parseSubscribed()));
    this.stream.expect("rbracket");
    return { t: "getitem", obj: node, arg: args.length === 1 ? args[0] : { t: "tuple", items: args } };
  }

  private parseSubscribed(): Expr {
    const slice: (Expr | null)[] = [];
    if (this.cur() === "colon") {
      this.stream.next();
      slice.push(null);
    } else {
      const node = this.parseExpression();
      if (this.cur() !== "colon") return node;
      this.stream.next();
      slice.push(node);
    }
    if (this.cur() === "colon") slice.push(null);
    else if (this.cur() !== "rbracket" && this.cur() !== "comma") slice.push(this.parseExpression());
    else slice.push(null);
    if (this.cur() === "colon") {
      this.stream.next();
      slice.push(this.cur() !== "rbracket" && this.cur() !== "comma" ? this.parseExpression() : null);
    } else slice.push(null);
    return { t: "slice", start: slice[0], stop: slice[1], step: slice[2] };
  }

  private parseCallArgs(): CallArgs {
    const token = this.stream.expect("lparen");
    const out: CallArgs = { args: [], kwargs: [], dynArgs: null, dynKwargs: null };
    const ensure = (ok: boolean) => {
      if (!ok) this.fail("invalid syntax for function call expression", token.lineno);
    };
    const argument = () => {
      if (this.cur() === "mul") {
        ensure(!out.dynArgs && !out.dynKwargs);
        this.stream.next();
        out.dynArgs = this.parseExpression();
      } else if (this.cur() === "pow") {
        ensure(!out.dynKwargs);
        this.stream.next();
        out.dynKwargs = this.parseExpression();
      } else if (this.cur() === "name" && this.stream.look().type === "assign") {
        ensure(!out.dynKwargs);
        const key = this.stream.current.value;
        this.stream.skip(2);
        out.kwargs.push([key, this.parseExpression()]);
      } else {
        ensure(!out.dynArgs && !out.dynKwargs && !out.kwargs.length);
        out.args.push(this.parseExpression());
      }
    };
    this.parseCommaList("rparen", argument, true);
    this.stream.expect("rparen");
    return out;
  }

  private dottedName(): string {
    let name = this.stream.expect("name").value;
    while (this.cur() === "dot") {
      this.stream.next();
      name += `.${this.stream.expect("name").value}`;
    }
    return name;
  }

  private parseFilter(node: Expr | null, startInline = false): Expr {
    while (this.cur() === "pipe" || startInline) {
      if (!startInline) this.stream.next();
      const name = this.dottedName();
      const args = this.cur() === "lparen" ? this.parseCallArgs() : { args: [], kwargs: [], dynArgs: null, dynKwargs: null };
      node = { t: "filter", node, name, ...args };
      startInline = false;
    }
    return node!;
  }

  private parseTest(node: Expr): Expr {
    this.stream.next();
    const negated = this.stream.test("name:not");
    if (negated) this.stream.next();
    const name = this.dottedName();
    const type = this.cur();
    let args: CallArgs = { args: [], kwargs: [], dynArgs: null, dynKwargs: null };
    if (type === "lparen") args = this.parseCallArgs();
    else if (
      ["name", "string", "integer", "float", "lparen", "lbracket", "lbrace"].includes(type) &&
      !this.stream.testAny("name:else", "name:or", "name:and")
    ) {
      if (this.stream.test("name:is")) this.fail("You cannot chain multiple tests with is");
      args.args.push(this.parsePostfix(this.parsePrimary()));
    }
    const test: Expr = { t: "test", node, name, ...args };
    return negated ? { t: "not", node: test } : test;
  }
}

/** Parses a template (TemplateSyntaxError when it does not). */
export function parseTemplate(source: string): TemplateAst {
  return new Parser(source).parse();
}
