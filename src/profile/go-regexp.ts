/**
 * pprof options take Go (RE2) regular expressions. Most RE2 syntax means the same in JavaScript;
 * this translates the parts that differ so a pasted pprof option behaves the same: leading flag
 * groups like `(?i)`, `(?P<name>…)`, `\A`, `\z`, `\Q…\E`, POSIX classes like `[[:alpha:]]`, Go's
 * `.` (everything but \n) and `\s` (ASCII whitespace only).
 */
import { UsageError } from "../errors.js";

const posixClasses: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

function escapeLiteral(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
}

/** Compiles a Go regular expression; `what` names the option in the error message. */
export function compileGoRegexp(source: string, what: string): RegExp {
  let flags = "";
  let rest = source;
  const leading = /^\(\?([imsU]+)\)/.exec(rest);
  if (leading) {
    if (leading[1]!.includes("U")) {
      throw new UsageError(`parsing ${what} regexp: the (?U) flag is not supported: ${source}`);
    }
    for (const f of leading[1]!) if (!flags.includes(f)) flags += f;
    rest = rest.slice(leading[0].length);
  }
  const dotAll = flags.includes("s");
  const multiline = flags.includes("m");
  let out = "";
  let inClass = false;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i]!;
    if (c === "\\") {
      const next = rest[i + 1];
      if (next === undefined) throw new UsageError(`parsing ${what} regexp: trailing backslash: ${source}`);
      i++;
      if (next === "Q") {
        const end = rest.indexOf("\\E", i + 1);
        const literal = end < 0 ? rest.slice(i + 1) : rest.slice(i + 1, end);
        out += inClass ? literal.replace(/[\\\]^-]/g, "\\$&") : escapeLiteral(literal);
        i = end < 0 ? rest.length : end + 1;
        continue;
      }
      if (!inClass && next === "A") {
        out += multiline ? "(?<![\\s\\S])" : "^";
        continue;
      }
      if (!inClass && next === "z") {
        out += multiline ? "(?![\\s\\S])" : "$";
        continue;
      }
      if (next === "s") {
        out += inClass ? "\\t\\n\\f\\r " : "[\\t\\n\\f\\r ]";
        continue;
      }
      if (next === "S" && !inClass) {
        out += "[^\\t\\n\\f\\r ]";
        continue;
      }
      if (next === "p" || next === "P") {
        throw new UsageError(`parsing ${what} regexp: Unicode classes (\\p) are not supported: ${source}`);
      }
      if (/[1-9]/.test(next)) {
        throw new UsageError(`parsing ${what} regexp: invalid escape sequence: \\${next}`);
      }
      out += `\\${next}`;
      continue;
    }
    if (inClass) {
      if (c === "[" && rest[i + 1] === ":") {
        const end = rest.indexOf(":]", i + 2);
        if (end > 0) {
          let name = rest.slice(i + 2, end);
          const negated = name.startsWith("^");
          if (negated) name = name.slice(1);
          const expansion = posixClasses[name];
          if (expansion === undefined) {
            throw new UsageError(`parsing ${what} regexp: invalid character class range: [:${name}:]`);
          }
          if (negated) {
            throw new UsageError(
              `parsing ${what} regexp: negated POSIX classes are not supported: ${source}`,
            );
          }
          out += expansion;
          i = end + 1;
          continue;
        }
      }
      if (c === "]") inClass = false;
      out += c;
      continue;
    }
    if (c === "[") {
      inClass = true;
      out += c;
      // A "]" right after "[" or "[^" is a literal in both syntaxes; copy it so it does not close.
      if (rest[i + 1] === "^") {
        out += "^";
        i++;
      }
      if (rest[i + 1] === "]") {
        out += "\\]";
        i++;
      }
      continue;
    }
    if (c === "(" && rest.startsWith("(?P<", i)) {
      out += "(?<";
      i += 3;
      continue;
    }
    if (c === "(" && rest[i + 1] === "?" && /^\(\?[imsU-]+[:)]/.test(rest.slice(i))) {
      throw new UsageError(`parsing ${what} regexp: flags are only supported at the start: ${source}`);
    }
    if (c === "." && !dotAll) {
      out += "[^\\n]";
      continue;
    }
    out += c;
  }
  const jsFlags = (flags.includes("i") ? "i" : "") + (multiline ? "m" : "") + (dotAll ? "s" : "");
  try {
    return new RegExp(out, jsFlags);
  } catch (error) {
    throw new UsageError(`parsing ${what} regexp: ${(error as Error).message}`);
  }
}
