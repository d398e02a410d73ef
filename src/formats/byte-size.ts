/**
 * Byte sizes as people and Go programs write them, for every place heapscope reads one: CLI flags
 * (`--limit 2GiB`, `--max-size 1GiB`, `--sample-rate 512KiB`) and memory limits an application
 * logs (`GOMEMLIMIT=2GiB`). Pure.
 *
 * Accepted: a number (digits, optionally a fraction: `1.5GiB`), optional spaces, then a unit:
 *   (none), `B`                          bytes
 *   `KiB` `MiB` `GiB` `TiB`              powers of 1024: what Go's GOMEMLIMIT accepts
 *   `Ki` `Mi` `Gi` `Ti`                  powers of 1024: Kubernetes quantities
 *   `kB`/`KB` `MB` `GB` `TB`, `k`/`K` `M` `G` `T`   powers of 1000 (SI, Kubernetes `2G`,
 *                                        go-humanize `Bytes`)
 * Units are case-insensitive (`512mib` = `512MiB`).
 *
 * `MB` means 10^6 bytes, not 2^20. Go's runtime rejects `GOMEMLIMIT=1GB` outright (its
 * parseByteCount takes only B, KiB, MiB, GiB and TiB), so a decimal unit never comes from Go
 * itself; it comes from a person or from a container limit (`memory: 2G` in Kubernetes is
 * 2,000,000,000 bytes), and reading it as SI keeps a projection against that limit from being
 * late. heapscope prints binary sizes as `MiB`/`GiB`, so its own output is never ambiguous.
 *
 * The result is rounded to whole bytes; null when the text is not a size or the size is past
 * Number.MAX_SAFE_INTEGER. Zero is a size (callers that need a positive one say so).
 */
// Applied to trimmed text, with one run of spaces allowed: linear time on any input.
const BYTE_SIZE = /^(\d+(?:\.\d+)?)\s*(?:([kmgt])(i?)b?|b?)$/i;

const POWER: Record<string, number> = { k: 1, m: 2, g: 3, t: 4 };

export function parseByteSize(text: string): number | null {
  const match = BYTE_SIZE.exec(text.trim());
  if (!match) return null;
  const [, amount, prefix, binary] = match;
  const multiplier = prefix ? (binary ? 1024 : 1000) ** POWER[prefix.toLowerCase()] : 1;
  const bytes = Math.round(Number(amount) * multiplier);
  return Number.isSafeInteger(bytes) ? bytes : null;
}
