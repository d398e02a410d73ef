/**
 * Finding the statements that assign a variable or field in Go source: what a grep would also find,
 * what it would wrongly find (comments, strings, raw strings, runes, comparisons, declarations, other
 * packages' variables, other fields), and layouts a line-based search misses (statements after
 * `case x:` or `;`, multi-line right-hand sides, multiple assignment).
 */
import { describe, expect, it } from "vitest";
import { findAssignments } from "../../../src/formats/go-source/go-assignments.js";
import { TokenKind, tokenizeGo } from "../../../src/formats/go-source/go-tokens.js";

const source = `package main

import "fmt"

// pending = pending[:0] is what flush used to do.
/* and here: pending = nil
   q.items = q.items[1:] */
var pending []*record

func flush(q *queue, i int) {
	msg := "pending = pending[:0]"
	raw := \`
pending = pending[:0]
q.items = nil\`
	r := 'p'; pending = pending[:0]
	if pending == nil { fmt.Println(msg, raw, r) }
	pending := pending[:1] // a new variable, not the global
	_ = pending
	switch i {
	case 1: q.items = q.items[1:]
	default:
		q.items = append(q.items[:i],
			q.items[i+1:]...)
	}
	a, q.items = 1, q.items[:0]
	q.other = q.items[:0]
	frames[key] = buf[:16]
	x.frames[key] = buf[:16]
	frames = nil
	pending = append(pending, nil)
	q.items = []*T{{}, {}}
	q.items = f(func() { g(a[1:]) })
	x := 0x1e+2; y := 1e+5
}
`;

describe("findAssignments", () => {
  const files = [{ file: "main.go", text: source }];
  const lineOf = (text: string) => source.split("\n").findIndex((l) => l.includes(text)) + 1;

  it("finds a package variable's reslicing, not its mentions in comments, strings, comparisons, declarations or growth", () => {
    const found = findAssignments(files, {
      kind: "variable",
      name: "pending",
      packageName: "main",
      element: false,
    });
    expect(found).toEqual([
      { file: "main.go", line: lineOf("r := 'p'"), text: "r := 'p'; pending = pending[:0]" },
    ]);
  });

  it("finds a field's reslicing on any receiver, after case labels, across lines, in multiple assignment and in closures", () => {
    const found = findAssignments(files, { kind: "field", name: "items", element: false });
    expect(found.map((f) => f.line)).toEqual([
      lineOf("case 1: q.items"),
      lineOf("q.items = append(q.items[:i],"),
      lineOf("a, q.items = 1"),
      lineOf("q.items = f(func()"),
    ]);
    expect(found[1]!.text).toBe("q.items = append(q.items[:i],");
  });

  it("finds assignments to an element (a slice held in a map) separately from the variable's own", () => {
    const element = findAssignments(files, {
      kind: "variable",
      name: "frames",
      packageName: "main",
      element: true,
    });
    expect(element.map((f) => f.text)).toEqual(["frames[key] = buf[:16]"]);
    const field = findAssignments(files, { kind: "field", name: "frames", element: true });
    expect(field.map((f) => f.text)).toEqual(["x.frames[key] = buf[:16]"]);
    const whole = findAssignments(files, {
      kind: "variable",
      name: "frames",
      packageName: "main",
      element: false,
    });
    expect(whole).toEqual([]); // frames = nil drops the slice, it does not reslice it
  });

  it("matches a package's variable unqualified only in that package, qualified elsewhere", () => {
    const other = {
      file: "other.go",
      text: "package cache\n\nfunc f() {\n\tpending = pending[1:]\n\tmain.pending = b[:0]\n}\n",
    };
    const inCache = findAssignments([other], {
      kind: "variable",
      name: "pending",
      packageName: "cache",
      element: false,
    });
    expect(inCache.map((f) => f.line)).toEqual([4]);
    const qualified = findAssignments([other], {
      kind: "variable",
      name: "pending",
      packageName: "main",
      element: false,
    });
    expect(qualified.map((f) => f.line)).toEqual([5]);
  });
});

describe("tokenizeGo", () => {
  it("drops comments, keeps literals opaque and inserts semicolons where Go does", () => {
    const tokens = tokenizeGo("x := `a\nb` // c\ny++\n/* d\n */ return\nif z {\n}");
    const shown = Array.from({ length: tokens.count }, (_, k) =>
      tokens.kind[k] === TokenKind.Literal ? "LIT" : tokens.text[k],
    );
    expect(shown).toEqual(["x", ":=", "LIT", ";", "y", "++", ";", "return", ";", "if", "z", "{", "}", ";"]);
    expect(tokens.line[tokens.count - 1]).toBe(7);
  });

  it("reads hex numbers with e digits as one literal and decimal exponents with their sign", () => {
    const tokens = tokenizeGo("a := 0x1e+2\nb := 1e+5");
    expect(Array.from({ length: tokens.count }, (_, k) => tokens.text[k] || "LIT")).toEqual([
      "a",
      ":=",
      "LIT",
      "+",
      "LIT",
      ";",
      "b",
      ":=",
      "LIT",
      ";",
    ]);
  });
});
