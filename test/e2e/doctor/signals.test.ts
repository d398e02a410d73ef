/**
 * Frame attribution and build info of the diagnosis core, on real Go binaries and module trees. The
 * per-signal and live-heap decision rules are in test/diagnose/signals.test.ts.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import {
  attributionFrameIndex,
  findGoModVersion,
  frameOrigin,
  packagePathOf,
  parseBuildInfoText,
  readEmbeddedBuildInfo,
} from "../../../src/diagnose/module-path.js";
import { buildGoProgram, GO_CURRENT, PINNED_TOOLCHAINS, runGo } from "../../support/go.js";

describe("frame attribution", () => {
  test("package paths", () => {
    expect(packagePathOf("net/http.(*conn).serve")).toBe("net/http");
    expect(packagePathOf("github.com/a/b/internal/x.(*T).M.func1")).toBe("github.com/a/b/internal/x");
    expect(packagePathOf("main.main")).toBe("main");
  });

  test("origins with and without a known module", () => {
    expect(frameOrigin("main.loadChunk")).toBe("own");
    expect(frameOrigin("runtime.mallocgc")).toBe("runtime");
    expect(frameOrigin("encoding/json.Unmarshal")).toBe("stdlib");
    expect(frameOrigin("github.com/prometheus/client_golang/prometheus.(*MetricVec).With")).toBe(
      "third-party",
    );
    expect(frameOrigin("example.com/svc/store.(*DB).Put")).toBe("own");
    expect(frameOrigin("example.com/svc/store.(*DB).Put", { path: "example.com/svc" })).toBe("own");
    expect(frameOrigin("example.com/other.Put", { path: "example.com/svc" })).toBe("third-party");
  });

  test("the first own frame from the leaf names the suspect", () => {
    const stack = [
      "runtime.mallocgc",
      "bytes.growSlice",
      "bytes.(*Buffer).Write",
      "example.com/svc/store.(*DB).Put",
      "main.main",
    ];
    expect(attributionFrameIndex(stack, { path: "example.com/svc" })).toBe(3);
    expect(attributionFrameIndex(["runtime.malg", "runtime.newproc1"], {})).toBe(-1);
  });

  test("go version -m text", () => {
    const info = parseBuildInfoText(
      "./svc: go1.21.4\n\tpath\texample.com/svc\n\tmod\texample.com/svc\t(devel)\t\n\tbuild\tDefaultGODEBUG=asynctimerchan=1,panicnil=1\n\tbuild\tGOOS=linux\n",
    );
    expect(info.goVersion).toBe("go1.21.4");
    expect(info.modulePath).toBe("example.com/svc");
    expect(info.defaultGodebug).toBe("asynctimerchan=1,panicnil=1");
    expect(info.settings.GOOS).toBe("linux");
  });

  test.each(PINNED_TOOLCHAINS)(
    "embedded build info of a real %s binary matches `go version -m`",
    async (toolchain) => {
      const dir = path.join(import.meta.dirname, "scenarios/time-after-select-loop");
      const binary = await buildGoProgram(dir, { toolchain });
      const ours = readEmbeddedBuildInfo(new Uint8Array(readFileSync(binary)));
      const theirs = parseBuildInfoText((await runGo(["version", "-m", binary], { toolchain })).stdout);
      expect(theirs.goVersion).toBe(toolchain);
      expect(ours?.modulePath).toBe("example.com/eventconsumer");
      expect(ours?.modulePath).toBe(theirs.modulePath);
      expect(ours?.goVersion).toBe(theirs.goVersion);
      expect(ours?.defaultGodebug).toBe(theirs.defaultGodebug);
      // The module says go 1.21, so Go 1.26 keeps pre-1.23 timers for it; Go 1.27 removed the
      // setting (the new timers whatever go.mod says).
      if (toolchain === GO_CURRENT) expect(ours?.defaultGodebug).not.toMatch(/asynctimerchan/);
      else expect(ours?.defaultGodebug).toMatch(/(^|,)asynctimerchan=1(,|$)/);
    },
  );

  test("go.mod is found above a source file through the source reader", () => {
    const files = new Map([["/w/svc/go.mod", "module example.com/svc\n\ngo 1.21\n"]]);
    expect(findGoModVersion(["/w/svc/cmd/api/main.go"], (f) => files.get(f))).toEqual([1, 21]);
    expect(findGoModVersion(["/elsewhere/main.go"], (f) => files.get(f))).toBeUndefined();
  });
});
