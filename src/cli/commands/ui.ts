import { spawn } from "node:child_process";
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { isInteractive } from "../output.js";
import { parsePort } from "../parse-options.js";

interface UiFlags {
  port?: string;
  host?: string;
  open?: boolean;
  sourcePath?: string;
  binary?: string;
}

/** Opens the URL in the user's browser (best effort; never fails the command). */
export function openInBrowser(url: string): void {
  const command =
    process.platform === "darwin"
      ? ["open", url]
      : process.platform === "win32"
        ? ["cmd", "/c", "start", "", url]
        : ["xdg-open", url];
  try {
    const child = spawn(command[0]!, command.slice(1), { stdio: "ignore", detached: true });
    child.on("error", () => {});
    child.unref();
  } catch {
    // No browser opener: the URL is printed anyway.
  }
}

export function register(program: Command): void {
  program
    .command("ui")
    .description("open the web UI: flame graph, top, peek, source, call graph, diffs, recordings' timelines")
    .argument(
      "<input...>",
      "profiles (files, URLs, recording#N), a recording, a gctrace log, a MemStats series, a goroutine dump or a Go heap dump",
    )
    .option("--binary <file>", "the Go binary that wrote a heap dump input: names its globals and closures")
    .option("--port <n>", "port to listen on (default: a free port)")
    .option("--host <addr>", "address to bind (default 127.0.0.1); other addresses require the printed token")
    .option("--no-open", "do not open a browser")
    .option("--source-path <paths>", "directories (colon-separated) whose .go files the source view may show")
    .addHelpText(
      "after",
      "\nExamples:\n  $ heapscope ui heap.pb.gz\n  $ heapscope ui before.pb.gz after.pb.gz --source-path .\n  $ heapscope ui recording.hsrec --host 0.0.0.0 --port 8080 --no-open\n  $ heapscope ui heap.dump --binary ./server",
    )
    .action(async (inputs: string[], flags: UiFlags) => {
      const port = flags.port === undefined ? 0 : parsePort(flags.port, "--port");
      const { startUiServer } = await import("../../ui/server/server.js");
      const { UiAssets } = await import("../../ui/server/assets.js");
      if (!new UiAssets().built) {
        throw new UsageError(
          "the web UI is not built (assets/ui/index.html is missing): run `npm run build:ui`",
        );
      }
      const sourcePaths = flags.sourcePath ? flags.sourcePath.split(":").filter((p) => p !== "") : [];
      const server = await startUiServer({
        inputs,
        host: flags.host,
        port,
        sourcePaths,
        ...(flags.binary !== undefined ? { binary: flags.binary } : {}),
      });
      process.stdout.write(`${server.url}\n`);
      if (server.token && isInteractive()) {
        process.stderr.write(
          "The token in the URL is required: anyone with the URL can read these profiles.\n",
        );
      }
      if (flags.open !== false && isInteractive(process.stdout)) openInBrowser(server.url);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          server.close().then(resolve, resolve);
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
    });
}
