/**
 * Safe expressions for condition and loop nodes, e.g.
 *   `input.priority == "high" && len(nodes.review.output) > 0`
 * A tiny hand-written parser and interpreter over plain data: no `eval`, no `Function`,
 * no `vm`, no property access beyond own data keys, no calls but the few listed below.
 */

import { toJsonText } from "./json-text";

export type ExpressionResult = { ok: true; value: unknown } | { ok: false; error: string };

type Token =
  | { kind: "number"; value: number }
  | { kind: "string"; value: string }
  | { kind: "ident"; value: string }
  | { kind: "op"; value: string }
  | { kind: "end" };

const OPERATORS = ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "(", ")", ",", ".", "+", "-"];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    if (/\s/.test(ch)) {
      i += 1;
    } else if (/[0-9]/.test(ch)) {
      const match = /^[0-9]+(\.[0-9]+)?/.exec(source.slice(i));
      const text = match?.[0] ?? ch;
      tokens.push({ kind: "number", value: Number(text) });
      i += text.length;
    } else if (ch === '"' || ch === "'") {
      let value = "";
      let j = i + 1;
      while (j < source.length && source[j] !== ch) {
        if (source[j] === "\\" && j + 1 < source.length) j += 1;
        value += source[j];
        j += 1;
      }
      if (j >= source.length) throw new SyntaxError(`unterminated string at ${i + 1}`);
      tokens.push({ kind: "string", value });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(ch)) {
      const text = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(source.slice(i))?.[0] ?? ch;
      tokens.push({ kind: "ident", value: text });
      i += text.length;
    } else {
      const op = OPERATORS.find((candidate) => source.startsWith(candidate, i));
      if (!op) throw new SyntaxError(`unexpected "${ch}" at ${i + 1}`);
      tokens.push({ kind: "op", value: op });
      i += op.length;
    }
  }
  tokens.push({ kind: "end" });
  return tokens;
}

type Node =
  | { type: "literal"; value: unknown }
  | { type: "path"; root: string; keys: string[] }
  | { type: "unary"; op: string; operand: Node }
  | { type: "binary"; op: string; left: Node; right: Node }
  | { type: "call"; name: string; args: Node[] };

const PRECEDENCE: Record<string, number> = { "||": 1, "&&": 2, "==": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4, "+": 5, "-": 5 };

/**
 * Parentheses, calls and unary operators a parse may nest. The parser recurses, and an
 * expression may be 2,000 characters long: a limit keeps the error clear and independent
 * of how much stack is left (the editor validates in the browser).
 */
export const MAX_NESTING = 64;

class Parser {
  private position = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  private nested<T>(parse: () => T): T {
    if (this.depth >= MAX_NESTING) throw new SyntaxError(`nested more than ${MAX_NESTING} levels deep`);
    this.depth += 1;
    try {
      return parse();
    } finally {
      this.depth -= 1;
    }
  }

  parse(): Node {
    const node = this.expression(0);
    const next = this.peek();
    if (next.kind !== "end") throw new SyntaxError(`unexpected ${describe(next)}`);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.position] ?? { kind: "end" };
  }

  private take(): Token {
    const token = this.peek();
    this.position += 1;
    return token;
  }

  private expectOp(op: string): void {
    const token = this.take();
    if (token.kind !== "op" || token.value !== op) throw new SyntaxError(`expected "${op}" but found ${describe(token)}`);
  }

  private expression(minPrecedence: number): Node {
    let left = this.unary();
    for (;;) {
      const token = this.peek();
      const precedence = token.kind === "op" ? PRECEDENCE[token.value] : undefined;
      if (token.kind !== "op" || precedence === undefined || precedence < minPrecedence) break;
      this.take();
      const right = this.expression(precedence + 1);
      left = { type: "binary", op: token.value, left, right };
    }
    return left;
  }

  private unary(): Node {
    const token = this.peek();
    if (token.kind === "op" && (token.value === "!" || token.value === "-")) {
      this.take();
      return { type: "unary", op: token.value, operand: this.nested(() => this.unary()) };
    }
    return this.primary();
  }

  private primary(): Node {
    const token = this.take();
    if (token.kind === "number" || token.kind === "string") return { type: "literal", value: token.value };
    if (token.kind === "op" && token.value === "(") {
      const inner = this.nested(() => this.expression(0));
      this.expectOp(")");
      return inner;
    }
    if (token.kind === "ident") {
      if (token.value === "true") return { type: "literal", value: true };
      if (token.value === "false") return { type: "literal", value: false };
      if (token.value === "null") return { type: "literal", value: null };
      const next = this.peek();
      if (next.kind === "op" && next.value === "(") {
        this.take();
        const args: Node[] = [];
        if (!(this.peek().kind === "op" && (this.peek() as { value: string }).value === ")")) {
          for (;;) {
            args.push(this.nested(() => this.expression(0)));
            const sep = this.peek();
            if (sep.kind === "op" && sep.value === ",") {
              this.take();
              continue;
            }
            break;
          }
        }
        this.expectOp(")");
        return { type: "call", name: token.value, args };
      }
      const keys: string[] = [];
      for (;;) {
        const dot = this.peek();
        if (!(dot.kind === "op" && dot.value === ".")) break;
        this.take();
        const key = this.take();
        if (key.kind !== "ident" && key.kind !== "number") throw new SyntaxError(`expected a name after "." but found ${describe(key)}`);
        keys.push(String(key.value));
      }
      return { type: "path", root: token.value, keys };
    }
    throw new SyntaxError(`unexpected ${describe(token)}`);
  }
}

function describe(token: Token): string {
  return token.kind === "end" ? "end of expression" : `"${String(token.value)}"`;
}

const FUNCTIONS: Record<string, (args: unknown[]) => unknown> = {
  len: ([value]) => (typeof value === "string" || Array.isArray(value) ? value.length : value && typeof value === "object" ? Object.keys(value).length : 0),
  contains: ([haystack, needle]) =>
    typeof haystack === "string" ? haystack.includes(String(needle)) : Array.isArray(haystack) ? haystack.includes(needle) : false,
  lower: ([value]) => String(value ?? "").toLowerCase(),
  upper: ([value]) => String(value ?? "").toUpperCase(),
  number: ([value]) => Number(value),
  string: ([value]) => (typeof value === "string" ? value : toJsonText(value ?? null)),
};

function ownKey(value: unknown, key: string): unknown {
  if (value === null || typeof value !== "object") return undefined;
  return Object.prototype.hasOwnProperty.call(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

function evaluate(node: Node, scope: Record<string, unknown>): unknown {
  switch (node.type) {
    case "literal":
      return node.value;
    case "path":
      return node.keys.reduce<unknown>((value, key) => ownKey(value, key), ownKey(scope, node.root));
    case "unary": {
      const value = evaluate(node.operand, scope);
      return node.op === "!" ? !value : -Number(value);
    }
    case "call": {
      const fn = Object.prototype.hasOwnProperty.call(FUNCTIONS, node.name) ? FUNCTIONS[node.name] : undefined;
      if (!fn) throw new TypeError(`unknown function ${node.name}() (available: ${Object.keys(FUNCTIONS).join(", ")})`);
      return fn(node.args.map((arg) => evaluate(arg, scope)));
    }
    case "binary": {
      // `a + b + c + …` nests to the left as deep as the chain is long (about 1,000 levels in
      // 2,000 characters), so the left spine is walked with a loop, not recursion.
      const spine: BinaryNode[] = [];
      let leftmost: Node = node;
      while (leftmost.type === "binary") {
        spine.push(leftmost);
        leftmost = leftmost.left;
      }
      let value = evaluate(leftmost, scope);
      for (let index = spine.length - 1; index >= 0; index -= 1) value = applyBinary(spine[index] as BinaryNode, value, scope);
      return value;
    }
  }
}

type BinaryNode = Extract<Node, { type: "binary" }>;

/** `node.op` applied to its already evaluated left side and its right side. */
function applyBinary(node: BinaryNode, left: unknown, scope: Record<string, unknown>): unknown {
  if (node.op === "&&") return left ? evaluate(node.right, scope) : false;
  if (node.op === "||") return left || evaluate(node.right, scope);
  const right = evaluate(node.right, scope);
  switch (node.op) {
    case "==":
      return toJsonText(left) === toJsonText(right);
    case "!=":
      return toJsonText(left) !== toJsonText(right);
    case "<":
      return compare(left, right) < 0;
    case "<=":
      return compare(left, right) <= 0;
    case ">":
      return compare(left, right) > 0;
    case ">=":
      return compare(left, right) >= 0;
    case "+":
      return typeof left === "number" && typeof right === "number" ? left + right : `${String(left ?? "")}${String(right ?? "")}`;
    case "-":
      return Number(left) - Number(right);
  }
  throw new SyntaxError(`unknown operator ${node.op}`);
}

function compare(left: unknown, right: unknown): number {
  if (typeof left === "number" && typeof right === "number") return left - right;
  return String(left).localeCompare(String(right));
}

/** Parses only: for the validator and the editor to flag a bad expression where it is typed. */
export function checkExpression(source: string): string | null {
  try {
    new Parser(tokenize(source)).parse();
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

export function evaluateExpression(source: string, scope: Record<string, unknown>): ExpressionResult {
  try {
    return { ok: true, value: evaluate(new Parser(tokenize(source)).parse(), scope) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}
