import type { Command } from "commander";
import { writeOut } from "../output.js";

export function register(program: Command): void {
  program
    .command("export")
    .description("write a recording's raw profiles, goroutine dumps, gctrace log and MemStats as plain files")
    .argument("<recording>", "recording file written by heapscope record")
    .requiredOption("--dir <dir>", "directory to write into (created if missing)")
    .addHelpText(
      "after",
      "\nExample:\n  $ heapscope export soak.hsrec --dir soak/ && go tool pprof -top soak/heap-0001.pb.gz",
    )
    .action(async (file: string, flags: { dir: string }) => {
      const { exportRecording } = await import("../../store/recording-export.js");
      const result = exportRecording(file, flags.dir);
      writeOut(`wrote ${result.files.length} files to ${result.dir} (see ${result.manifestPath})`);
    });
}
