/**
 * A small test-side scraper: samples a running Go program's /debug/pprof/heap?gc=1, /debug/vars,
 * goroutine dump and /proc RSS at a fixed interval, keeping the raw bytes. It exists so the pure
 * diagnosis core can be tested on real data without going through the recorder.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface ScrapedTick {
  tSeconds: number;
  heap: Uint8Array;
  vars: string | null;
  goroutines: string | null;
  rssBytes: number | null;
}

export interface ScrapedRun {
  ticks: ScrapedTick[];
}

async function get(url: string): Promise<Uint8Array | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) return null;
    return new Uint8Array(await response.arrayBuffer());
  } catch {
    return null;
  }
}

function readRss(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export async function scrape(
  baseUrl: string,
  options: { durationMs: number; intervalMs: number; pid?: number },
): Promise<ScrapedRun> {
  const start = performance.now();
  const ticks: ScrapedTick[] = [];
  for (let next = start; next - start <= options.durationMs; next += options.intervalMs) {
    const wait = next - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const tSeconds = (performance.now() - start) / 1000;
    const heap = await get(`${baseUrl}/debug/pprof/heap?gc=1`);
    const vars = await get(`${baseUrl}/debug/vars`);
    const goroutines = await get(`${baseUrl}/debug/pprof/goroutine?debug=2`);
    if (!heap) continue;
    ticks.push({
      tSeconds,
      heap,
      vars: vars ? new TextDecoder().decode(vars) : null,
      goroutines: goroutines ? new TextDecoder().decode(goroutines) : null,
      rssBytes: readRss(options.pid),
    });
  }
  return { ticks };
}

/** Saves a run as files (heap-000.pb.gz, vars-000.json, goroutines-000.txt, ticks.json). */
export function saveRun(run: ScrapedRun, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const index = run.ticks.map((tick, i) => {
    const n = String(i).padStart(3, "0");
    writeFileSync(path.join(dir, `heap-${n}.pb.gz`), tick.heap);
    if (tick.vars) writeFileSync(path.join(dir, `vars-${n}.json`), tick.vars);
    if (tick.goroutines) writeFileSync(path.join(dir, `goroutines-${n}.txt`), tick.goroutines);
    return {
      n,
      tSeconds: tick.tSeconds,
      rssBytes: tick.rssBytes,
      vars: !!tick.vars,
      goroutines: !!tick.goroutines,
    };
  });
  writeFileSync(path.join(dir, "ticks.json"), JSON.stringify(index, null, 1));
}

export function loadRun(dir: string): ScrapedRun {
  const index = JSON.parse(readFileSync(path.join(dir, "ticks.json"), "utf8")) as {
    n: string;
    tSeconds: number;
    rssBytes: number | null;
    vars: boolean;
    goroutines: boolean;
  }[];
  return {
    ticks: index.map((entry) => ({
      tSeconds: entry.tSeconds,
      rssBytes: entry.rssBytes,
      heap: new Uint8Array(readFileSync(path.join(dir, `heap-${entry.n}.pb.gz`))),
      vars: entry.vars ? readFileSync(path.join(dir, `vars-${entry.n}.json`), "utf8") : null,
      goroutines: entry.goroutines ? readFileSync(path.join(dir, `goroutines-${entry.n}.txt`), "utf8") : null,
    })),
  };
}
