/**
 * Which frames belong to the program being diagnosed. A suspect is named by the first frame (from the
 * leaf) in the program's own module: that is the code its author can change. The module path comes
 * from the binary's build info when heapscope launched it, from `--module`, or is unknown; then the
 * first frame outside the runtime, the standard library and well-known third-party modules is used.
 *
 * Go function names are `<package path>.<name>`: `main.loadChunk`, `net/http.(*conn).serve`,
 * `github.com/foo/bar/internal/x.(*T).M.func1`. The package path ends at the first dot after the
 * last slash. Standard-library paths have no dot in their first element; `main` is the program.
 */

export type FrameOrigin = "own" | "runtime" | "stdlib" | "third-party" | "unknown";

/** Package path of a Go function name (`net/http` for `net/http.(*conn).serve`). */
export function packagePathOf(functionName: string): string {
  const lastSlash = functionName.lastIndexOf("/");
  const dot = functionName.indexOf(".", lastSlash + 1);
  return dot < 0 ? functionName : functionName.slice(0, dot);
}

/** Module paths whose code is a library, not the program: their frames are never named as the cause. */
const KNOWN_THIRD_PARTY_PREFIXES = [
  "golang.org/x/",
  "google.golang.org/",
  "gopkg.in/",
  "go.uber.org/",
  "go.opentelemetry.io/",
  "go.etcd.io/",
  "go.mongodb.org/",
  "k8s.io/",
  "sigs.k8s.io/",
  "cloud.google.com/go",
  "github.com/prometheus/",
  "github.com/gorilla/",
  "github.com/gin-gonic/",
  "github.com/labstack/",
  "github.com/go-chi/",
  "github.com/valyala/",
  "github.com/gofiber/",
  "github.com/grpc-ecosystem/",
  "github.com/golang/protobuf",
  "github.com/gogo/protobuf",
  "github.com/json-iterator/",
  "github.com/goccy/",
  "github.com/sirupsen/logrus",
  "github.com/rs/zerolog",
  "github.com/spf13/",
  "github.com/aws/",
  "github.com/Azure/",
  "github.com/redis/",
  "github.com/go-redis/",
  "github.com/jackc/",
  "github.com/lib/pq",
  "github.com/go-sql-driver/",
  "github.com/mattn/",
  "github.com/klauspost/",
  "github.com/pkg/errors",
  "github.com/hashicorp/",
  "github.com/DataDog/",
  "github.com/getsentry/",
  "github.com/nats-io/",
  "github.com/segmentio/kafka-go",
  "github.com/IBM/sarama",
  "github.com/Shopify/sarama",
  "github.com/cespare/xxhash",
  "github.com/dgraph-io/",
  "github.com/patrickmn/go-cache",
  "github.com/hashicorp/golang-lru",
  "github.com/allegro/bigcache",
  "github.com/coocood/freecache",
];

export interface ModuleContext {
  /** The main module's path (`example.com/svc`), when known. */
  path?: string;
}

/** Where a frame's code comes from, relative to the diagnosed program. */
export function frameOrigin(functionName: string, module: ModuleContext = {}): FrameOrigin {
  if (functionName === "" || functionName === "?" || functionName.startsWith("0x")) return "unknown";
  const pkg = packagePathOf(functionName);
  if (pkg === "runtime" || pkg.startsWith("runtime/") || pkg.startsWith("internal/runtime")) return "runtime";
  if (pkg === "main") return "own";
  if (module.path && (pkg === module.path || pkg.startsWith(`${module.path}/`))) return "own";
  const firstElement = pkg.split("/", 1)[0] ?? "";
  if (!firstElement.includes(".")) return "stdlib";
  if (
    KNOWN_THIRD_PARTY_PREFIXES.some((prefix) => pkg === prefix.replace(/\/$/, "") || pkg.startsWith(prefix))
  ) {
    return "third-party";
  }
  // With a known module path, every other dotted path is a dependency.
  if (module.path) return "third-party";
  return "own";
}

/** Index (leaf first) of the frame a suspect is named by: the first own-module frame, or -1. */
export function attributionFrameIndex(functionNames: readonly string[], module: ModuleContext = {}): number {
  for (let i = 0; i < functionNames.length; i++) {
    if (frameOrigin(functionNames[i], module) === "own") return i;
  }
  return -1;
}

/** Index of the first frame that is not runtime-internal, or -1. */
export function firstNonRuntimeFrameIndex(functionNames: readonly string[]): number {
  for (let i = 0; i < functionNames.length; i++) {
    const origin = frameOrigin(functionNames[i]);
    if (origin !== "runtime" && origin !== "unknown") return i;
  }
  return -1;
}

/** What `go version -m BINARY` (or the embedded build info) says about a program. */
export interface BuildInfo {
  /** Toolchain that built it, e.g. `go1.26.8`. */
  goVersion?: string;
  /** Import path of the main package. */
  mainPackagePath?: string;
  /** The main module's path. */
  modulePath?: string;
  /** `build DefaultGODEBUG=...`: the GODEBUG defaults implied by the module's go line. */
  defaultGodebug?: string;
  /** Other `build` settings (key → value). */
  settings: Record<string, string>;
}

/**
 * Parses the text of `go version -m BINARY` or the module-info string embedded in a binary
 * (`path\t...`, `mod\t...`, `dep\t...`, `build\tKEY=VALUE`, tab separated).
 */
export function parseBuildInfoText(text: string): BuildInfo {
  const info: BuildInfo = { settings: {} };
  for (const rawLine of text.split("\n")) {
    const line = rawLine.replace(/\r$/, "");
    const first = /^[^\t]*:\s*(go[0-9][^\s]*)\s*$/.exec(line);
    if (first) {
      info.goVersion = first[1];
      continue;
    }
    const fields = line.replace(/^\t/, "").split("\t");
    switch (fields[0]) {
      case "path":
        info.mainPackagePath = fields[1];
        break;
      case "mod":
        info.modulePath = fields[1];
        break;
      case "build": {
        const setting = fields.slice(1).join("\t");
        const eq = setting.indexOf("=");
        if (eq > 0) {
          const key = setting.slice(0, eq);
          const value = setting.slice(eq + 1).replace(/^"|"$/g, "");
          info.settings[key] = value;
          if (key === "DefaultGODEBUG") info.defaultGodebug = value;
        }
        break;
      }
      default:
        break;
    }
  }
  return info;
}

const BUILDINFO_MAGIC = [0xff, 0x20, 0x47, 0x6f, 0x20, 0x62, 0x75, 0x69, 0x6c, 0x64, 0x69, 0x6e, 0x66, 0x3a]; // "\xff Go buildinf:"

/**
 * Reads the build info Go 1.18+ embeds in every binary (the `.go.buildinfo` blob: a 32-byte header,
 * then the toolchain version and the module info as varint-length-prefixed strings). Returns
 * undefined for older layouts (pointer-based, Go ≤1.17) or when there is no build info.
 */
export function readEmbeddedBuildInfo(binary: Uint8Array): BuildInfo | undefined {
  const start = findMagic(binary);
  if (start < 0 || start + 32 > binary.length) return undefined;
  const flags = binary[start + 15];
  if ((flags & 0x2) === 0) return undefined; // pointer-based layout (Go ≤1.17): not supported here
  let pos = start + 32;
  const readString = (): string | undefined => {
    let length = 0;
    let shift = 0;
    for (;;) {
      if (pos >= binary.length || shift > 35) return undefined;
      const byte = binary[pos++];
      length += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) break;
      shift += 7;
    }
    if (pos + length > binary.length) return undefined;
    const text = new TextDecoder().decode(binary.subarray(pos, pos + length));
    pos += length;
    return text;
  };
  const version = readString();
  const modinfo = readString();
  if (version === undefined || modinfo === undefined) return undefined;
  // The module info is wrapped in 16-byte sentinels.
  const body = modinfo.length >= 33 ? modinfo.slice(16, -16) : modinfo;
  const info = parseBuildInfoText(body);
  info.goVersion = version;
  return info;
}

function findMagic(bytes: Uint8Array): number {
  const first = BUILDINFO_MAGIC[0];
  let index = bytes.indexOf(first);
  while (index >= 0 && index + BUILDINFO_MAGIC.length <= bytes.length) {
    let match = true;
    for (let k = 1; k < BUILDINFO_MAGIC.length; k++) {
      if (bytes[index + k] !== BUILDINFO_MAGIC[k]) {
        match = false;
        break;
      }
    }
    // The blob is 16-byte aligned in every Go binary.
    if (match && index % 16 === 0) return index;
    index = bytes.indexOf(first, index + 1);
  }
  return -1;
}

/** `go 1.21` / `go 1.22.3` line of a go.mod file, as [major, minor]. */
export function goLineOfGoMod(text: string): [number, number] | undefined {
  const match = /^\s*go\s+(\d+)\.(\d+)/m.exec(text);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

/** `module example.com/x` line of a go.mod file. */
export function modulePathOfGoMod(text: string): string | undefined {
  const match = /^\s*module\s+("?)([^\s"]+)\1/m.exec(text);
  return match ? match[2] : undefined;
}

/** `go1.22.3` → [1, 22]. */
export function parseGoVersion(version: string | undefined): [number, number] | undefined {
  if (!version) return undefined;
  const match = /go(\d+)\.(\d+)/.exec(version);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

export function versionBefore(version: [number, number], major: number, minor: number): boolean {
  return version[0] < major || (version[0] === major && version[1] < minor);
}

/**
 * The `go` line of the go.mod above the given source files, read through `readSource` (the program's
 * own files, as recorded in its profiles). Walks up at most 12 directories from each file.
 */
export function findGoModVersion(
  files: string[],
  readSource: ((file: string) => string | undefined) | undefined,
): [number, number] | undefined {
  if (!readSource) return undefined;
  const seen = new Set<string>();
  for (const file of files) {
    if (!file.startsWith("/")) continue;
    let dir = file.slice(0, file.lastIndexOf("/")) || "/";
    for (let depth = 0; depth < 12 && !seen.has(dir); depth++) {
      seen.add(dir);
      let text: string | undefined;
      try {
        text = readSource(`${dir === "/" ? "" : dir}/go.mod`);
      } catch {
        text = undefined;
      }
      if (text !== undefined) {
        const version = goLineOfGoMod(text);
        if (version) return version;
        break;
      }
      if (dir === "/") break;
      dir = dir.slice(0, dir.lastIndexOf("/")) || "/";
    }
  }
  return undefined;
}
