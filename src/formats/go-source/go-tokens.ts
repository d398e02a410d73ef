/**
 * A Go tokenizer good enough to find statements: identifiers, literals (interpreted and raw strings,
 * runes, numbers), operators and punctuation, with comments dropped and semicolons inserted at line
 * ends as the Go spec says. So `// pending = pending[:0]` in a comment, or the same text inside a
 * string or a raw string, is never mistaken for code.
 */

export const TokenKind = {
  Ident: 1,
  Literal: 2,
  Operator: 3,
  /** An explicit `;` or one inserted at a newline. */
  Semicolon: 4,
} as const;

export interface GoTokens {
  kind: Uint8Array;
  /** Operators and identifiers as written; literals as "" (their text is never needed). */
  text: string[];
  /** 1-based line of the token's first character. */
  line: Uint32Array;
  count: number;
}

const KEYWORDS_ENDING_STATEMENTS = new Set(["break", "continue", "fallthrough", "return"]);
const KEYWORDS = new Set(
  (
    "break case chan const continue default defer else fallthrough for func go goto if import interface map " +
    "package range return select struct switch type var"
  ).split(" "),
);
/** Longest first, so `<<=` wins over `<<` and `<`. */
const OPERATORS = (
  "<<= >>= &^= ... && || <- ++ -- == != <= >= := += -= *= /= %= &= |= ^= << >> &^ ~ " +
  "+ - * / % & | ^ < > = ! ( ) [ ] { } , : ."
).split(" ");

export function tokenizeGo(source: string): GoTokens {
  const kind: number[] = [];
  const text: string[] = [];
  const line: number[] = [];
  let lineNo = 1;
  let i = 0;
  const n = source.length;
  const push = (k: number, t: string, at: number) => {
    kind.push(k);
    text.push(t);
    line.push(at);
  };
  /** Whether a newline here ends a statement (the spec's automatic semicolon rule). */
  const endsStatement = () => {
    const last = kind.length - 1;
    if (last < 0) return false;
    const k = kind[last]!;
    const t = text[last]!;
    if (k === TokenKind.Literal) return true;
    if (k === TokenKind.Ident) return !KEYWORDS.has(t) || KEYWORDS_ENDING_STATEMENTS.has(t);
    return k === TokenKind.Operator && (t === "++" || t === "--" || t === ")" || t === "]" || t === "}");
  };
  const newline = () => {
    if (endsStatement()) push(TokenKind.Semicolon, ";", lineNo);
    lineNo++;
  };
  while (i < n) {
    const c = source.charCodeAt(i);
    if (c === 0x0a) {
      newline();
      i++;
    } else if (c === 0x20 || c === 0x09 || c === 0x0d) {
      i++;
    } else if (c === 0x2f && source.charCodeAt(i + 1) === 0x2f) {
      const end = source.indexOf("\n", i);
      i = end < 0 ? n : end;
    } else if (c === 0x2f && source.charCodeAt(i + 1) === 0x2a) {
      const end = source.indexOf("*/", i + 2);
      const stop = end < 0 ? n : end + 2;
      const lines = countNewlines(source, i, stop);
      if (lines > 0) {
        if (endsStatement()) push(TokenKind.Semicolon, ";", lineNo);
        lineNo += lines;
      }
      i = stop;
    } else if (c === 0x22 || c === 0x27) {
      const start = lineNo;
      i = skipQuoted(source, i, c);
      push(TokenKind.Literal, "", start);
    } else if (c === 0x60) {
      const end = source.indexOf("`", i + 1);
      const stop = end < 0 ? n : end + 1;
      push(TokenKind.Literal, "", lineNo);
      lineNo += countNewlines(source, i, stop);
      i = stop;
    } else if (isDigit(c) || (c === 0x2e && isDigit(source.charCodeAt(i + 1)))) {
      i = skipNumber(source, i);
      push(TokenKind.Literal, "", lineNo);
    } else if (isIdentStart(c)) {
      const start = i;
      while (i < n && isIdentPart(source.charCodeAt(i))) i++;
      const word = source.slice(start, i);
      push(TokenKind.Ident, word, lineNo);
    } else if (c === 0x3b) {
      push(TokenKind.Semicolon, ";", lineNo);
      i++;
    } else {
      const op = OPERATORS.find((o) => source.startsWith(o, i));
      push(TokenKind.Operator, op ?? source[i]!, lineNo);
      i += op ? op.length : 1;
    }
  }
  if (endsStatement()) push(TokenKind.Semicolon, ";", lineNo);
  return { kind: Uint8Array.from(kind), text, line: Uint32Array.from(line), count: kind.length };
}

function countNewlines(source: string, from: number, to: number): number {
  let lines = 0;
  for (let k = from; k < to; k++) if (source.charCodeAt(k) === 0x0a) lines++;
  return lines;
}

/** Past the closing quote of a "..." string or '...' rune (an unterminated one ends at the line). */
function skipQuoted(source: string, i: number, quote: number): number {
  let k = i + 1;
  while (k < source.length) {
    const c = source.charCodeAt(k);
    if (c === 0x5c) k += 2;
    else if (c === quote) return k + 1;
    else if (c === 0x0a) return k;
    else k++;
  }
  return k;
}

/** Past a number literal: digits, `_`, `.`, letters (hex, suffixes) and an exponent's sign. */
function skipNumber(source: string, i: number): number {
  const hex = source[i] === "0" && (source[i + 1] === "x" || source[i + 1] === "X");
  let k = i;
  while (k < source.length) {
    const c = source.charCodeAt(k);
    const prev = source[k - 1] ?? "";
    const exponentSign =
      (c === 0x2b || c === 0x2d) && (hex ? prev === "p" || prev === "P" : prev === "e" || prev === "E");
    if (isIdentPart(c) || c === 0x2e || exponentSign) k++;
    else break;
  }
  return k;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isIdentStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c >= 0x80;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c);
}
