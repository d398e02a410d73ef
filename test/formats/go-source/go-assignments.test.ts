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

const locals = `package main

var batch []*job // a global of the same name: not the local

func worker(size int, jobs <-chan *job) {
	batch := make([]*job, 0, size)
	for j := range jobs {
		batch = append(batch, j)
		batch = append(batch, spare[1:]...) // grows batch: no reslice of it
		if len(batch) == size {
			batch = batch[:0]
		}
	}
	go func() {
		batch = batch[1:] // a closure inside worker assigns worker's batch
	}()
}

func other() {
	batch = batch[:0]
	var header = body[:16]
	_ = header
}

type server struct{ buf []byte }

func (s *server) handle(body []byte, n int) (out struct{ n int }) {
	var header = body[:n]
	header = append([]byte(nil), body[:n]...) // a copy
	header, n = body[:n+1], 0
	_ = header
	return
}

func (s server) size() int { header := s.buf[:2]; return len(header) }
`;

describe("findAssignments for a function's local variable", () => {
  const files = [
    { file: "main.go", text: locals },
    { file: "other.go", text: "package other\n\nfunc worker() {\n\tbatch = batch[:0]\n}\n" },
  ];
  const lines = (name: string, fn: string) =>
    findAssignments(files, { kind: "local", name, function: fn, element: false }).map((l) => [
      l.file,
      l.text,
    ]);

  it("only inside that function's body (and its closures), declarations included; growing and copying are no reslice", () => {
    expect(lines("batch", "main.worker")).toEqual([
      ["main.go", "batch = batch[:0]"],
      ["main.go", "batch = batch[1:] // a closure inside worker assigns worker's batch"],
    ]);
    expect(lines("batch", "main.worker.func1")).toEqual(lines("batch", "main.worker"));
    expect(lines("header", "main.other")).toEqual([["main.go", "var header = body[:16]"]]);
  });

  it("methods by receiver, pointer or value, with results of struct type before the body", () => {
    expect(lines("header", "main.(*server).handle")).toEqual([
      ["main.go", "var header = body[:n]"],
      ["main.go", "header, n = body[:n+1], 0"],
    ]);
    expect(lines("header", "main.server.size")).toEqual([
      ["main.go", "func (s server) size() int { header := s.buf[:2]; return len(header) }"],
    ]);
    expect(lines("header", "main.(*server).missing")).toEqual([]);
    expect(lines("header", "nopackage")).toEqual([]);
  });
});
