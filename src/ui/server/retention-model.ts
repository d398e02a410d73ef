/**
 * The retention view's data for one document: its heap dump read once, analysed once (graph,
 * dominators, paths) and aggregated into the icicle's tree; kept for the path requests that follow.
 * A dump file is read from disk when first asked for; a recording's latest kept dump from SQLite.
 * Nothing of the dump's contents goes to the page: names, sizes and offsets only.
 */
import { existsSync, readFileSync } from "node:fs";
import { analyzeNamedRetention } from "../../collect/heap-dump-retention.js";
import { type DumpBinary, keptBinary, symbolsForDump } from "../../collect/heap-dump-source.js";
import {
  groupPath,
  lineFunctions,
  type RetentionContext,
  type RetentionTree,
  retentionTree,
  rootName,
} from "../../diagnose/holders/index.js";
import { HeapscopeError, InputError, UsageError } from "../../errors.js";
import type { GoBinarySymbols } from "../../formats/elf/go-binary-symbols.js";
import { readHeapDump } from "../../formats/heapdump/read-heap-dump.js";
import { parseProfileBytes } from "../../formats/profile-bytes.js";
import type { HeapDump } from "../../model/heap-dump.js";
import type { Profile } from "../../profile/model.js";
import type { RecordingReader } from "../../store/recording-reader.js";
import type { RetentionPathWire, RetentionResponse, RetentionTreeWire } from "../shared/retention-wire.js";
import type { UiDocument } from "./workspace.js";

/** Nodes of the aggregated tree sent to the page. */
export const RETENTION_NODE_BUDGET = 20_000;
/** Dump bytes whose analyses stay cached together. */
const CACHE_DUMP_BYTES = 512 * 1024 * 1024;

interface RetentionModel {
  context: RetentionContext;
  tree: RetentionTree;
  wire: RetentionTreeWire;
}

interface DumpSource {
  /** Read only when the analysis is not cached. */
  bytes: () => Uint8Array;
  label: string;
  /** Read with the dump: a --binary path, or the binary a recording kept. */
  binary: () => DumpBinary | undefined;
  /** The binary was named by the recording, not by the user: a mismatch is a limit, not an error. */
  binaryOptional: boolean;
  /** A heap profile of the same run (a recording's newest snapshot): names inlined allocation sites. */
  profile?: () => Profile | undefined;
  key: string;
}

export class RetentionModels {
  // An analysis takes several times its dump's size (4.25 M objects: 440 MB dump, ~1.7 GB RSS): keep the documents last asked for while
  // their dumps add up to at most CACHE_DUMP_BYTES, and always the last one.
  private readonly cache = new Map<string, { model: RetentionModel; size: number }>();

  constructor(private readonly budget = RETENTION_NODE_BUDGET) {}

  tree(doc: UiDocument): RetentionResponse {
    const model = this.model(doc);
    return model ? model.wire : { status: "no-dump", message: noDumpMessage(doc) };
  }

  path(doc: UiDocument, node: number): RetentionPathWire {
    const model = this.model(doc);
    if (!model) throw new UsageError(`${doc.name} has no heap dump`);
    if (!Number.isInteger(node) || node < 0 || node >= model.tree.parent.length)
      throw new UsageError(`node: expected 0 to ${model.tree.parent.length - 1}, got ${node}`);
    const path = groupPath(model.context, model.tree.representative[node]!);
    return {
      node,
      roots: path.roots.map((r) => ({ label: rootName(model.context, r.node, r.label), kind: r.kind })),
      // A map's own storage (buckets, Swiss tables) differs between Go versions and says nothing to the
      // reader: left out, as the text report leaves it out.
      steps: path.steps
        .filter((s) => !s.mapInternal)
        .map((s) => ({
          bytes: s.bytes,
          site: s.site,
          offset: s.offset,
          ...(s.field !== undefined ? { field: s.field } : {}),
          ...(s.type !== undefined ? { type: s.type } : {}),
        })),
    };
  }

  private model(doc: UiDocument): RetentionModel | null {
    const source = dumpSource(doc);
    if (!source) return null;
    const cached = this.cache.get(source.key);
    if (cached) {
      this.cache.delete(source.key);
      this.cache.set(source.key, cached);
      return cached.model;
    }
    const bytes = source.bytes();
    const model = this.analyse(source, bytes);
    this.cache.set(source.key, { model, size: bytes.length });
    let total = 0;
    for (const entry of this.cache.values()) total += entry.size;
    for (const [key, entry] of this.cache) {
      if (total <= CACHE_DUMP_BYTES || this.cache.size === 1) break;
      this.cache.delete(key);
      total -= entry.size;
    }
    return model;
  }

  private analyse(source: DumpSource, bytes: Uint8Array): RetentionModel {
    const dump = decode(bytes, source.label);
    const extraLimits: string[] = [];
    const binary = source.binary();
    let resolver: GoBinarySymbols | undefined;
    if (binary !== undefined) {
      try {
        resolver = symbolsForDump(binary, dump);
      } catch (error) {
        if (!source.binaryOptional || !(error instanceof HeapscopeError)) throw error;
        extraLimits.push(`the recording's binary cannot name this dump (${error.message.split("\n", 1)[0]})`);
      }
    }
    // Typed as retainers types it: the binary's DWARF gives each path step its field and type.
    const { summary, context } = analyzeNamedRetention(
      dump,
      binary !== undefined && resolver ? { named: { binary, resolver } } : {},
    );
    const profile = source.profile?.();
    if (!profile)
      extraLimits.push(
        "no heap profile beside the dump: an allocation site inlined into its caller is named by the caller",
      );
    const tree = retentionTree(context, {
      budget: this.budget,
      ...(profile ? { lineFunctions: lineFunctions(profile) } : {}),
    });
    const wire: RetentionTreeWire = {
      status: "ok",
      name: source.label,
      reachableBytes: summary.reachableBytes,
      reachableObjects: summary.reachableObjects,
      heapAlloc: summary.heapAlloc,
      goVersion: summary.goVersion,
      limits: [...summary.limits, ...extraLimits],
      truncated: tree.truncated,
      nodes: {
        parent: Array.from(tree.parent),
        name: tree.name,
        kind: tree.kind,
        rootKind: tree.rootKind,
        site: tree.site,
        siteLine: tree.siteLine,
        bytes: Array.from(tree.bytes),
        objects: Array.from(tree.objects),
        members: Array.from(tree.members),
      },
    };
    return { context, tree, wire };
  }
}

function dumpSource(doc: UiDocument): DumpSource | null {
  if (doc.kind === "heapdump") {
    return {
      bytes: () => {
        if (!existsSync(doc.path)) throw new InputError(doc.path, "no such file");
        return new Uint8Array(readFileSync(doc.path));
      },
      label: doc.name,
      binary: () => doc.binary,
      binaryOptional: false,
      key: `${doc.id}`,
    };
  }
  if (doc.kind !== "recording") return null;
  const dumps = doc.recording.heapDumps();
  const last = dumps[dumps.length - 1];
  if (!last) return null;
  return {
    bytes: () => doc.recording.heapDumpBytes(last),
    label: `${doc.name} (heap dump ${dumps.length})`,
    // --binary, else the binary the recording kept (doctor --keep-dump), else the path it names if that
    // still exists.
    binary: () =>
      doc.binary ??
      keptBinary(doc.recording, last, doc.name) ??
      (last.binaryPath && existsSync(last.binaryPath) ? last.binaryPath : undefined),
    binaryOptional: doc.binary === undefined,
    key: `${doc.id}#${last.id}`,
    profile: () => newestHeapProfile(doc.recording, doc.name),
  };
}

function newestHeapProfile(recording: RecordingReader, name: string): Profile | undefined {
  try {
    const bytes = recording.heapSnapshotBytes("last");
    return parseProfileBytes(bytes, `${name}#last`).profile;
  } catch (error) {
    // No snapshot (or an unreadable one): sites keep the dump's names, and the limits say so.
    if (error instanceof HeapscopeError) return undefined;
    throw error;
  }
}

/** Decodes a dump, turning a decoding failure into one line naming the input. */
function decode(bytes: Uint8Array, label: string): HeapDump {
  try {
    return readHeapDump(bytes);
  } catch (error) {
    if (error instanceof InputError) throw error;
    if (error instanceof HeapscopeError || error instanceof RangeError)
      throw new InputError(label, error.message);
    throw error;
  }
}

/** What to run to get a dump, for a document without one. */
export function noDumpMessage(doc: UiDocument): string {
  return doc.kind === "recording"
    ? `${doc.name} holds no heap dump: it was recorded without --keep-dump.`
    : `${doc.name} is a ${doc.kind} input, not a heap dump.`;
}
