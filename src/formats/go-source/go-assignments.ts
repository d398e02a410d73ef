/**
 * The statements of Go source files that reslice a given variable or field: assignments whose right
 * side takes a slice expression, `pending = pending[:0]`, `q.items = q.items[1:]`,
 * `s = append(s[:i], s[i+1:]...)`, `frames[key] = buf[:16]` (an element of the variable or field, for
 * slices held in maps or slices). Growing it (`s = append(s, x)`) or dropping it (`s = nil`) is not
 * reslicing. Found on tokens (go-tokens.ts), so comments and strings never match, and only plain
 * assignments (`=`, not `:=`, which declares a new variable, nor `==`) count.
 *
 * A function's local variable or parameter (`main.worker`'s `batch`) is looked for in that
 * function's body only (closures inside it included), and there its declaration counts too:
 * `batch := buf[:0]` and `var batch = buf[:0]` give the local its value.
 */
import { functionBody, parseFunctionName } from "./go-functions.js";
import { type GoTokens, TokenKind, tokenizeGo } from "./go-tokens.js";

/** What a statement must assign. */
export type AssignmentTarget =
  | {
      kind: "variable";
      /** The variable's name (`pending`). */
      name: string;
      /** Its package's name (`main`, `cache`): unqualified uses count in that package's files, `cache.pending` elsewhere. */
      packageName: string;
      /** An element is assigned (`frames[key] = ...`), not the variable itself. */
      element: boolean;
    }
  | { kind: "field"; name: string; element: boolean }
  | {
      kind: "local";
      name: string;
      /** The function as the runtime names it (`main.worker`, `main.(*server).handle`). */
      function: string;
      element: boolean;
    };

export interface SourceLine {
  file: string;
  line: number;
  text: string;
}

export function findAssignments(
  files: { file: string; text: string }[],
  target: AssignmentTarget,
): SourceLine[] {
  const found: SourceLine[] = [];
  const fn = target.kind === "local" ? parseFunctionName(target.function) : null;
  if (target.kind === "local" && !fn) return found;
  for (const { file, text } of files) {
    const tokens = tokenizeGo(text);
    const packageName = packageClause(tokens);
    let range: [number, number] = [0, tokens.count];
    if (fn) {
      const body = packageName === fn.packageName ? functionBody(tokens, fn) : null;
      if (!body) continue;
      range = body;
    }
    const lines = text.split("\n");
    for (const line of assignmentLines(tokens, target, packageName, range)) {
      found.push({ file, line, text: (lines[line - 1] ?? "").trim() });
    }
  }
  return found;
}

function packageClause(tokens: GoTokens): string {
  for (let k = 0; k + 1 < tokens.count; k++) {
    if (tokens.kind[k] === TokenKind.Ident && tokens.text[k] === "package") return tokens.text[k + 1]!;
  }
  return "";
}

/** Lines (1-based, ascending, each once) of statements in tokens [from, to) whose left-hand side names the target. */
function assignmentLines(
  tokens: GoTokens,
  target: AssignmentTarget,
  packageName: string,
  [from, to]: [number, number],
): number[] {
  const lines = new Set<number>();
  const declares = target.kind === "local";
  let start = from;
  let depth = 0;
  for (let k = from; k < to; k++) {
    const kind = tokens.kind[k]!;
    const t = tokens.text[k]!;
    if (kind === TokenKind.Semicolon) {
      start = k + 1;
      depth = 0;
      continue;
    }
    if (kind !== TokenKind.Operator) continue;
    if (t === "{" || t === "}") {
      start = k + 1;
      depth = 0;
    } else if (t === "(" || t === "[") depth++;
    else if (t === ")" || t === "]") depth--;
    else if (t === ":" && depth === 0)
      start = k + 1; // `case x:`, `default:`, labels
    else if ((t === "=" || (t === ":=" && declares)) && depth === 0) {
      // `var x = ...` declares x (a local's declaration counts as its assignment).
      const lhs = declares && tokens.text[start] === "var" ? start + 1 : start;
      if (lhsNames(tokens, lhs, k, target, packageName) && reslices(tokens, k + 1))
        lines.add(tokens.line[start]!);
    }
  }
  return [...lines].sort((a, b) => a - b);
}

/**
 * Whether the right-hand side starting at `from` holds a slice expression (a `:` directly inside
 * `[...]`). For `append(first, ...)` only its first argument counts, as the result shares only its
 * array: `append(s[:i], s[i+1:]...)` reslices, `append([]byte(nil), b[:16]...)` copies.
 */
function reslices(tokens: GoTokens, from: number): boolean {
  const append = tokens.text[from] === "append" && tokens.text[from + 1] === "(";
  const open: string[] = [];
  for (let k = append ? from + 2 : from; k < tokens.count; k++) {
    if (tokens.kind[k] === TokenKind.Semicolon && open.length === 0) return false;
    if (append && open.length === 0 && (tokens.text[k] === "," || tokens.text[k] === ")")) return false;
    if (tokens.kind[k] !== TokenKind.Operator) continue;
    const t = tokens.text[k]!;
    if (t === "(" || t === "[" || t === "{") open.push(t);
    else if (t === ")" || t === "]" || t === "}") {
      if (open.length === 0) return false;
      open.pop();
    } else if (t === ":" && open[open.length - 1] === "[") return true;
  }
  return false;
}

/** Whether one of the comma-separated expressions in tokens[from, to) is the target. */
function lhsNames(
  tokens: GoTokens,
  from: number,
  to: number,
  target: AssignmentTarget,
  packageName: string,
): boolean {
  let partStart = from;
  let depth = 0;
  for (let k = from; k <= to; k++) {
    const t = k < to ? tokens.text[k]! : ",";
    if (t === "(" || t === "[") depth++;
    else if (t === ")" || t === "]") depth--;
    else if (t === "," && depth === 0) {
      if (matches(tokens, partStart, k, target, packageName)) return true;
      partStart = k + 1;
    }
  }
  return false;
}

function matches(
  tokens: GoTokens,
  from: number,
  to: number,
  target: AssignmentTarget,
  packageName: string,
): boolean {
  let end = to;
  if (target.element) {
    // The part must end in one index expression `[...]`: drop it.
    if (end - from < 3 || tokens.text[end - 1] !== "]") return false;
    let depth = 0;
    let k = end - 1;
    for (; k >= from; k--) {
      const t = tokens.text[k]!;
      if (t === "]") depth++;
      else if (t === "[" && --depth === 0) break;
    }
    if (k <= from) return false;
    end = k;
  }
  const ident = (k: number, name: string) => tokens.kind[k] === TokenKind.Ident && tokens.text[k] === name;
  if (target.kind === "field") {
    return end - from >= 3 && tokens.text[end - 2] === "." && ident(end - 1, target.name);
  }
  if (target.kind === "local") return end - from === 1 && ident(from, target.name);
  if (end - from === 1) return packageName === target.packageName && ident(from, target.name);
  return (
    end - from === 3 &&
    ident(from, target.packageName) &&
    tokens.text[from + 1] === "." &&
    ident(from + 2, target.name)
  );
}
