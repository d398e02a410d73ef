/** `heapscope export`: what it does. Its arguments, options and help are in ../commands/export.ts. */
import { writeOut } from "../output.js";

/** `heapscope export`. */
export async function exportAction(file: string, flags: { dir: string }): Promise<void> {
  const { exportRecording } = await import("../../store/recording-export.js");
  const result = exportRecording(file, flags.dir);
  writeOut(`wrote ${result.files.length} files to ${result.dir} (see ${result.manifestPath})`);
}
