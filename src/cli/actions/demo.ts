/** `heapscope demo`: what it does. Its arguments, options and help are in ../commands/demo.ts. */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { InputError } from "../../errors.js";
import { renderDoctorHtml } from "../../render/doctor-html.js";
import { doctorJson } from "../../render/doctor-json.js";
import { renderDoctorMarkdown } from "../../render/doctor-markdown.js";
import { renderDoctorText } from "../../render/doctor-text.js";
import { DOCTOR_SAMPLE_RATE } from "../commands/doctor.js";
import { isInteractive, resolveFormat, writeJson, writeOut } from "../output.js";
import { runDoctor } from "./doctor.js";

const execFileAsync = promisify(execFile);

interface DemoFlags {
  duration: string;
  replay?: boolean;
  html?: string;
  format?: string;
  json?: boolean;
  markdown?: boolean;
}

/** assets/demo, beside dist/ (installed package) or src/ (development). */
export function demoAssetsDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, "../../../assets/demo");
}

/** Builds the demo into a cache directory keyed by its source; undefined when `go` is not usable. */
async function buildDemo(source: string): Promise<string | undefined> {
  // The binary records its source paths (the report shows them), so the checkout's path is part of the key.
  const hash = createHash("sha256").update(path.resolve(source));
  for (const name of readdirSync(source).sort()) {
    if (name.endsWith(".go") || name === "go.mod")
      hash.update(name).update(readFileSync(path.join(source, name)));
  }
  const dir = path.join(tmpdir(), "heapscope-demo");
  const out = path.join(dir, `leaky-service-${hash.digest("hex").slice(0, 12)}`);
  if (existsSync(out)) return out;
  try {
    mkdirSync(dir, { recursive: true });
    await execFileAsync("go", ["build", "-o", out, "."], {
      cwd: source,
      env: { ...process.env, GOFLAGS: "-mod=mod", GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? "local" },
      timeout: 180_000,
    });
    return out;
  } catch {
    return undefined;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** `heapscope demo`. */
export async function demoAction(flags: DemoFlags): Promise<void> {
  const format = resolveFormat(flags);
  const assets = demoAssetsDir();
  const source = path.join(assets, "leaky-service");
  const recording = path.join(assets, "leaky-service.hsrec");
  const binary = flags.replay ? undefined : await buildDemo(source);
  let run: Awaited<ReturnType<typeof runDoctor>>;
  let how: string;
  if (binary) {
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    if (isInteractive())
      process.stderr.write(`heapscope: running the demo service (${source}) for ${flags.duration}…\n`);
    run = await runDoctor([], [binary, "-addr", address], {
      url: `http://${address}`,
      duration: flags.duration,
      sampleRate: String(DOCTOR_SAMPLE_RATE),
      wait: "60s",
    });
    how = `live run of ${source}`;
  } else {
    if (!existsSync(recording)) throw new InputError(recording, "the bundled demo recording is missing");
    run = await runDoctor([recording], [], { duration: "30s", sampleRate: "default", wait: "60s" });
    how = `bundled recording ${recording} (no Go toolchain found${flags.replay ? " or --replay given" : ""})`;
  }
  const htmlPath = path.resolve(flags.html ?? path.join(tmpdir(), "heapscope-demo.html"));
  writeFileSync(htmlPath, renderDoctorHtml(run.diagnosis, { generatedAt: new Date().toISOString() }));
  if (format === "json") {
    writeJson({ ...doctorJson(run.diagnosis, { htmlPath }), demo: how });
  } else if (format === "markdown") {
    writeOut(renderDoctorMarkdown(run.diagnosis));
  } else {
    const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
    writeOut(`heapscope demo — ${how}\n\n${renderDoctorText(run.diagnosis, { color, htmlPath })}`);
  }
}
