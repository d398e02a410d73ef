import { findListeningPid, readProcStat } from "./rss.js";

/** Port-forwarders and proxies: their RSS is not the target's, even when they hold the port. */
const FORWARDER_NAMES = new Set([
  "kubectl",
  "ssh",
  "socat",
  "docker-proxy",
  "rootlesskit",
  "slirp4netns",
  "envoy",
  "nginx",
  "haproxy",
  "oc",
]);

/**
 * The pid of the process listening behind a loopback URL; null for other hosts, when nothing is
 * found, or when the listener is a port-forwarder (whose RSS would mislead).
 */
export function listeningPidBehindUrl(url: string): number | null {
  const parsed = new URL(url);
  const loopback = ["127.0.0.1", "localhost", "[::1]", "::1"].includes(parsed.hostname);
  if (!loopback) return null;
  const port = Number(parsed.port || (parsed.protocol === "https:" ? 443 : 80));
  const pid = findListeningPid(port);
  const comm = pid === null ? null : readProcStat(pid)?.comm;
  return pid !== null && comm && !FORWARDER_NAMES.has(comm) ? pid : null;
}
