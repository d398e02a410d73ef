import { describe, expect, it } from "vitest";
import {
  defaultExecutableName,
  isGoCommand,
  parseGoRunCommand,
  splitTags,
} from "../../src/collect/go-run-command.js";
import { UsageError } from "../../src/errors.js";

describe("parseGoRunCommand", () => {
  it("splits build flags, the package and the program's arguments as the go command does", () => {
    const parsed = parseGoRunCommand([
      "go",
      "run",
      "-race",
      "-ldflags",
      "-X main.v=1",
      "-gcflags=all=-N",
      "./cmd/svc",
      "-port",
      "8080",
      "x.go",
    ]);
    expect(parsed.buildFlags).toEqual(["-race", "-ldflags=-X main.v=1", "-gcflags=all=-N"]);
    expect(parsed.target).toEqual({ kind: "package", pattern: "./cmd/svc" });
    expect(parsed.programArgs).toEqual(["-port", "8080", "x.go"]);
  });

  it("takes every leading .go argument as the file list", () => {
    const parsed = parseGoRunCommand(["go", "run", "a.go", "b.go", "c.go.txt", "d.go"]);
    expect(parsed.target).toEqual({ kind: "files", files: ["a.go", "b.go"] });
    expect(parsed.programArgs).toEqual(["c.go.txt", "d.go"]);
  });

  it("pulls out -C, -exec, -tags and -overlay (the last -tags wins, as in the flag package)", () => {
    const parsed = parseGoRunCommand([
      "go",
      "run",
      "-C",
      "sub",
      "--tags=a",
      "-tags",
      "b,c",
      "-overlay=o.json",
      "-exec",
      "sudo -E",
      "--",
      ".",
      "arg",
    ]);
    expect(parsed).toMatchObject({
      chdir: "sub",
      tags: ["b", "c"],
      overlay: "o.json",
      exec: "sudo -E",
      buildFlags: [],
      target: { kind: "package", pattern: "." },
      programArgs: ["arg"],
    });
  });

  it("falls back to -tags and -overlay in GOFLAGS", () => {
    const parsed = parseGoRunCommand(["go", "run", "."], { GOFLAGS: "-mod=mod -tags=x,y -overlay=/o.json" });
    expect(parsed.tags).toEqual(["x", "y"]);
    expect(parsed.overlay).toBe("/o.json");
    expect(parseGoRunCommand(["go", "run", "-tags=z", "."], { GOFLAGS: "-tags=x" }).tags).toEqual(["z"]);
  });

  it("refuses what cannot get the hook, with a reason", () => {
    expect(() => parseGoRunCommand(["go", "run", "golang.org/x/tools/cmd/stringer@v0.20.0"])).toThrow(
      /a package at a version is built outside any module/,
    );
    expect(() => parseGoRunCommand(["go", "build", "."])).toThrow(/only `go run`/);
    expect(() => parseGoRunCommand(["go", "run", "-race"])).toThrow("go run: no package or .go files given");
    expect(() => parseGoRunCommand(["go", "run", "main_test.go"])).toThrow(/cannot run \*_test.go files/);
    expect(() => parseGoRunCommand(["go", "run", "-ldflags"])).toThrow("go run: flag -ldflags needs a value");
    expect(() => parseGoRunCommand(["go", "test"])).toThrow(UsageError);
  });

  it("accepts local paths and absolute paths that contain @", () => {
    expect(parseGoRunCommand(["go", "run", "./tools@v2"]).target).toEqual({
      kind: "package",
      pattern: "./tools@v2",
    });
    expect(parseGoRunCommand(["go", "run", "/src/x@y"]).target).toEqual({
      kind: "package",
      pattern: "/src/x@y",
    });
  });
});

describe("small helpers", () => {
  it("recognises go executables", () => {
    expect(["go", "/usr/lib/go-1.19/bin/go", "go1.22.3", "go1.23rc1"].map(isGoCommand)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(["gofmt", "./server", "golang", "cargo"].map(isGoCommand)).toEqual([false, false, false, false]);
  });

  it("names binaries as go build does", () => {
    expect(defaultExecutableName("example.com/svc/cmd/api")).toBe("api");
    expect(defaultExecutableName("example.com/tool/v2")).toBe("tool");
    expect(defaultExecutableName("v2")).toBe("v2");
  });

  it("splits comma and (old) space separated tag lists", () => {
    expect(splitTags("a,b c,, d")).toEqual(["a", "b", "c", "d"]);
    expect(splitTags("")).toEqual([]);
  });
});
