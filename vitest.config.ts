import { defineConfig } from "vitest/config";
import { GO_DEFAULT } from "./test/support/go-toolchains.js";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: "forks",
    fileParallelism: true,
    maxWorkers: 2,
    // Any go command a test (or the CLI under test) starts without naming a toolchain runs the
    // default one, never whatever go is on the PATH.
    env: { GOTOOLCHAIN: GO_DEFAULT },
  },
});
