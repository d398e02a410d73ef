/** How a recording describes its target: URLs (redacted), command line, pid, Go version, limits. */
import { hostname } from "node:os";
import type { EndpointUrls, TargetDescription } from "../model/recording.js";
import type { DiscoveryResult } from "./endpoint-discovery.js";
import type { HttpClient } from "./http-client.js";
import { readMemoryLimit } from "./memory-limit.js";
import { redactCommandLine, redactUrl } from "./redact.js";

export interface TargetFacts {
  url?: string;
  headers?: Record<string, string>;
  /** The launched command, if any. */
  command?: string[];
  /** The recording keeps raw vars (and then the target's arguments too). */
  keepVars: boolean;
  discovery: DiscoveryResult | null;
  /** expvar's cmdline, when served. */
  cmdline: string[] | null;
  pid: number | null;
}

export function describeTarget(facts: TargetFacts): TargetDescription {
  const endpoints: EndpointUrls = {};
  for (const [name, url] of Object.entries(facts.discovery?.endpoints ?? {})) {
    if (url) endpoints[name as keyof EndpointUrls] = redactUrl(url);
  }
  const { cmdline, pid } = facts;
  return {
    url: facts.url ? redactUrl(facts.url) : null,
    endpoints,
    headerNames: Object.keys(facts.headers ?? {}),
    command: facts.command ? redactCommandLine(facts.command) : null,
    // expvar's cmdline can carry secrets in any argument: only the program is kept, unless --keep-vars
    // (then the arguments too, with secret-looking flag values still redacted).
    cmdline: cmdline ? (facts.keepVars ? redactCommandLine(cmdline) : cmdline.slice(0, 1)) : null,
    pid,
    goVersion: facts.discovery?.goVersion ?? null,
    hostname: hostname(),
    memoryLimit: pid !== null ? readMemoryLimit(pid) : null,
  };
}

/** expvar's `cmdline` (os.Args), to describe the target; redacted by describeTarget. */
export async function fetchCmdline(client: HttpClient, varsUrl: string): Promise<string[] | null> {
  try {
    const response = await client.getOk(varsUrl, { retries: 0, timeoutMs: 5000 });
    const parsed = JSON.parse(response.body.toString("utf8")) as { cmdline?: unknown };
    return Array.isArray(parsed.cmdline) && parsed.cmdline.every((a) => typeof a === "string")
      ? (parsed.cmdline as string[])
      : null;
  } catch {
    return null;
  }
}
