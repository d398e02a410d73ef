/**
 * Where a function's body is in a Go file's tokens, found from the name the runtime and DWARF give
 * it: `main.worker`, `main.(*server).handle`, `example.com/app/cache.Get`, `main.Map[...].Put`. A
 * closure (`main.worker.func1`, `main.worker.gowrap2`) is inside the function it is named after, so
 * its outer function's body is the scope; a generic function's instantiation (`[...]`) is its body.
 */
import { type GoTokens, TokenKind } from "./go-tokens.js";

export interface GoFunctionName {
  /** The package's name: the last element of its import path (`cache`, `main`). */
  packageName: string;
  /** The receiver's type name for a method (`server` for `(*server)`), else null. */
  receiver: string | null;
  /** The function or method name (`handle`). */
  name: string;
}

/** The package, receiver and name of a function symbol; null when it names no declared function. */
export function parseFunctionName(symbol: string): GoFunctionName | null {
  const withoutTypeArgs = symbol.replace(/\[[^\]]*\]/g, "");
  const slash = withoutTypeArgs.lastIndexOf("/");
  const dot = withoutTypeArgs.indexOf(".", slash + 1);
  if (dot < 0) return null;
  const packageName = withoutTypeArgs.slice(slash + 1, dot);
  const rest = withoutTypeArgs.slice(dot + 1);
  const method = /^\(\*?([\p{L}_][\p{L}\p{N}_]*)\)\.([\p{L}_][\p{L}\p{N}_]*)/u.exec(rest);
  if (method) return { packageName, receiver: method[1]!, name: method[2]! };
  const parts = rest.split(".");
  if (!IDENTIFIER.test(parts[0]!)) return null;
  // `T.Method` (a value receiver) and `F.func1` (a closure in F) look alike: a closure's own name
  // (funcN, gowrapN, deferwrapN, or a number for one nested deeper) means a function.
  const second = parts[1];
  if (second !== undefined && IDENTIFIER.test(second) && !/^(func|gowrap|deferwrap)\d+$/.test(second))
    return { packageName, receiver: parts[0]!, name: second };
  return { packageName, receiver: null, name: parts[0]! };
}

const IDENTIFIER = /^[\p{L}_][\p{L}\p{N}_]*$/u;

/** Token range [from, to) of the body of `fn` in `tokens` (inside its braces), or null. */
export function functionBody(tokens: GoTokens, fn: GoFunctionName): [number, number] | null {
  for (let k = 0; k + 1 < tokens.count; k++) {
    if (tokens.kind[k] !== TokenKind.Ident || tokens.text[k] !== "func") continue;
    let at = k + 1;
    if (fn.receiver !== null) {
      if (tokens.text[at] !== "(") continue;
      const close = matching(tokens, at);
      if (close < 0 || receiverType(tokens, at + 1, close) !== fn.receiver) continue;
      at = close + 1;
    } else if (tokens.text[at] === "(") continue;
    if (tokens.kind[at] !== TokenKind.Ident || tokens.text[at] !== fn.name) continue;
    const open = bodyStart(tokens, at + 1);
    if (open < 0) continue;
    const close = matching(tokens, open);
    if (close > open) return [open + 1, close];
  }
  return null;
}

/** The type name of a receiver `(s *server)`, `(server)`, `(m *Map[K, V])` in tokens [from, to). */
function receiverType(tokens: GoTokens, from: number, to: number): string | null {
  let name: string | null = null;
  for (let k = from; k < to; k++) {
    if (tokens.text[k] === "[") break;
    if (tokens.kind[k] === TokenKind.Ident) name = tokens.text[k]!;
  }
  return name;
}

/** The `{` opening the body after a signature starting at `from`; −1 for a declaration without one. */
function bodyStart(tokens: GoTokens, from: number): number {
  let depth = 0;
  for (let k = from; k < tokens.count; k++) {
    const t = tokens.text[k]!;
    if (tokens.kind[k] === TokenKind.Semicolon && depth === 0) return -1;
    if (tokens.kind[k] !== TokenKind.Operator) continue;
    if (t === "(" || t === "[") depth++;
    else if (t === ")" || t === "]") depth--;
    else if (t === "{") {
      const before = tokens.text[k - 1];
      if (depth === 0 && before !== "struct" && before !== "interface") return k;
      const close = matching(tokens, k); // a struct{...} or interface{...} type in the signature
      if (close < 0) return -1;
      k = close;
    }
  }
  return -1;
}

/** The token closing the bracket at `open` ( `(`, `[` or `{` ), or −1. */
function matching(tokens: GoTokens, open: number): number {
  const pairs: Record<string, string> = { "(": ")", "[": "]", "{": "}" };
  const opener = tokens.text[open]!;
  const closer = pairs[opener];
  if (!closer) return -1;
  let depth = 0;
  for (let k = open; k < tokens.count; k++) {
    if (tokens.kind[k] !== TokenKind.Operator) continue;
    if (tokens.text[k] === opener) depth++;
    else if (tokens.text[k] === closer && --depth === 0) return k;
  }
  return -1;
}
