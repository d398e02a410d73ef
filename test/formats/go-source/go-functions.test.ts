/**
 * Function names as the runtime and DWARF write them, turned into what to look for in the source:
 * package, receiver and name, for functions, methods on pointer and value receivers, generic
 * instantiations, closures (scoped to the function they are named after) and import paths.
 */
import { describe, expect, it } from "vitest";
import { functionBody, parseFunctionName } from "../../../src/formats/go-source/go-functions.js";
import { tokenizeGo } from "../../../src/formats/go-source/go-tokens.js";

describe("parseFunctionName", () => {
  it.each([
    ["main.worker", { packageName: "main", receiver: null, name: "worker" }],
    ["main.worker.func1", { packageName: "main", receiver: null, name: "worker" }],
    ["main.worker.func1.2", { packageName: "main", receiver: null, name: "worker" }],
    ["main.main.gowrap3", { packageName: "main", receiver: null, name: "main" }],
    ["main.(*server).handle", { packageName: "main", receiver: "server", name: "handle" }],
    ["main.(*server).handle.func2", { packageName: "main", receiver: "server", name: "handle" }],
    ["main.server.size", { packageName: "main", receiver: "server", name: "size" }],
    ["example.com/app/internal/cache.Get", { packageName: "cache", receiver: null, name: "Get" }],
    ["example.com/app/cache.(*LRU[...]).Put", { packageName: "cache", receiver: "LRU", name: "Put" }],
    ["main.Map[go.shape.int,go.shape.string].Put", { packageName: "main", receiver: "Map", name: "Put" }],
    ["main.Process[...]", { packageName: "main", receiver: null, name: "Process" }],
  ])("%s", (symbol, expected) => {
    expect(parseFunctionName(symbol)).toEqual(expected);
  });

  it("nothing for names that are no declared function", () => {
    expect(parseFunctionName("nopackage")).toBeNull();
    expect(parseFunctionName("main.(*x")).toBeNull();
  });
});

describe("functionBody", () => {
  const tokens = tokenizeGo(`package main

func worker(in <-chan struct{ n int }) (out interface{ Len() int }) {
	x := 1
}

func (s *server) handle() {
	y := 2
}

//go:linkname external
func external()
`);
  const text = (range: [number, number] | null) => (range ? tokens.text.slice(range[0], range[1]) : null);

  it("skips struct and interface types in the signature; finds methods by receiver", () => {
    expect(text(functionBody(tokens, { packageName: "main", receiver: null, name: "worker" }))).toEqual([
      "x",
      ":=",
      "",
      ";",
    ]);
    expect(text(functionBody(tokens, { packageName: "main", receiver: "server", name: "handle" }))).toEqual([
      "y",
      ":=",
      "",
      ";",
    ]);
  });

  it("null for a declaration without a body, a missing function, or a method asked as a function", () => {
    expect(functionBody(tokens, { packageName: "main", receiver: null, name: "external" })).toBeNull();
    expect(functionBody(tokens, { packageName: "main", receiver: null, name: "missing" })).toBeNull();
    expect(functionBody(tokens, { packageName: "main", receiver: null, name: "handle" })).toBeNull();
  });
});
