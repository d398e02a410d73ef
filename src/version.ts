import { readFileSync } from "node:fs";

function readVersion(): string {
  try {
    const url = new URL("../package.json", import.meta.url);
    return (JSON.parse(readFileSync(url, "utf8")) as { version: string }).version;
  } catch {
    return "0.0.0";
  }
}

/** heapscope's own version, read from package.json (dist/ and src/ sit one level below it). */
export const VERSION: string = readVersion();
