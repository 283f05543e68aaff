/** The syntax tree of a parsed template (a subset of jinja2.nodes, shaped for our renderer). */

export type Expr =
  | { t: "const"; value: unknown }
  | { t: "name"; name: string }
  | { t: "nsref"; name: string; attr: string }
  | { t: "tuple"; items: Expr[] }
  | { t: "list"; items: Expr[] }
  | { t: "dict"; pairs: [Expr, Expr][] }
  | { t: "getattr"; obj: Expr; attr: string }
  | { t: "getitem"; obj: Expr; arg: Expr }
  | { t: "slice"; start: Expr | null; stop: Expr | null; step: Expr | null }
  | ({ t: "call"; fn: Expr } & CallArgs)
  | ({ t: "filter"; node: Expr | null; name: string } & CallArgs)
  | ({ t: "test"; node: Expr; name: string } & CallArgs)
  | { t: "condexpr"; test: Expr; then: Expr; else: Expr | null }
  | { t: "and" | "or"; left: Expr; right: Expr }
  | { t: "not" | "neg" | "pos"; node: Expr }
  | { t: "compare"; expr: Expr; ops: [string, Expr][] }
  | { t: "bin"; op: string; left: Expr; right: Expr }
  | { t: "concat"; items: Expr[] };

export interface CallArgs {
  args: Expr[];
  kwargs: [string, Expr][];
  dynArgs: Expr | null;
  dynKwargs: Expr | null;
}

export interface Signature {
  args: string[];
  defaults: Expr[];
}

export type Stmt =
  | { t: "output"; nodes: (string | Expr)[]; lineno: number }
  | { t: "if"; test: Expr; body: Stmt[]; else: Stmt[]; lineno: number }
  | { t: "for"; target: Expr; iter: Expr; body: Stmt[]; else: Stmt[]; test: Expr | null; recursive: boolean; lineno: number }
  | { t: "assign"; target: Expr; expr: Expr; lineno: number }
  | { t: "assignblock"; target: Expr; filter: Expr | null; body: Stmt[]; lineno: number }
  | { t: "with"; targets: Expr[]; values: Expr[]; body: Stmt[]; lineno: number }
  | { t: "macro"; name: string; sig: Signature; body: Stmt[]; lineno: number }
  | { t: "callblock"; call: Expr; sig: Signature; body: Stmt[]; lineno: number }
  | { t: "filterblock"; filter: Expr; body: Stmt[]; lineno: number }
  | { t: "block"; name: string; body: Stmt[]; lineno: number }
  | { t: "autoescape"; value: Expr; body: Stmt[]; lineno: number }
  | { t: "unsupported"; tag: string; lineno: number };

export interface TemplateAst {
  body: Stmt[];
  forCount: number;
  maxForDepth: number;
}
