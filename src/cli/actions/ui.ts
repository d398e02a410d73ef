/** `heapscope ui`: what it does. Its arguments, options and help are in ../commands/ui.ts. */
import { spawn } from "node:child_process";
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

/** `heapscope ui`. */
export async function uiAction(inputs: string[], flags: UiFlags): Promise<void> {
  const port = flags.port === undefined ? 0 : parsePort(flags.port, "--port");
  const { startUiServer } = await import("../../ui/server/server.js");
  const { UiAssets } = await import("../../ui/server/assets.js");
  if (!new UiAssets().built) {
    throw new UsageError("the web UI is not built (assets/ui/index.html is missing): run `npm run build:ui`");
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
    process.stderr.write("The token in the URL is required: anyone with the URL can read these profiles.\n");
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
}
