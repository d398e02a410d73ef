/** `heapscope hook`: what it does. Its arguments, options and help are in ../commands/hook.ts. */
import path from "node:path";
import { resolveFormat, writeJson, writeOut } from "../output.js";

interface HookFlags {
  force?: boolean;
  format?: string;
  json?: boolean;
}

/** How `go build` names the package in `dir`: `.`, `./cmd/x`, or the absolute path. */
function packageArgument(dir: string): string {
  const normalized = path.normalize(dir);
  const argument =
    path.isAbsolute(dir) || normalized === "." || normalized.startsWith("..")
      ? normalized
      : `./${normalized}`;
  return /^[\w./-]+$/.test(argument) ? argument : `'${argument.replaceAll("'", "'\\''")}'`;
}

/** `heapscope hook`. */
export async function hookAction(dir: string, flags: HookFlags): Promise<void> {
  const format = resolveFormat(flags, ["text", "json"]);
  const { writeHookFile, HOOK_BUILD_TAG } = await import("../../collect/hook-file.js");
  const result = writeHookFile(dir, { force: flags.force });
  const buildCommand = `go build -tags ${HOOK_BUILD_TAG} ${packageArgument(dir)}`;
  if (format === "json") {
    writeJson({ path: result.path, action: result.action, buildTag: HOOK_BUILD_TAG, buildCommand });
    return;
  }
  const what = { written: "wrote", replaced: "replaced", unchanged: "up to date:" }[result.action];
  writeOut(`${what} ${result.path}\nbuild it in with: ${buildCommand}\n`);
}
