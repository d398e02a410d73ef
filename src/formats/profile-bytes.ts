/**
 * Bytes of a profile, whatever their form, to the model: gzip is sniffed (1f 8b) and inflated under a
 * size cap, then profile.proto is decoded, or the legacy `?debug=1` heap text parsed. Every failure is
 * a ProfileDecodeError naming the input, with a message a user can act on.
 */
import { gunzipSync } from "node:zlib";
import { ProfileDecodeError } from "../errors.js";
import { formatBytes } from "../model/units.js";
import type { Profile } from "../profile/model.js";
import { looksLikeLegacyHeapText, parseLegacyHeapText } from "./pprof-legacy-heap-text.js";
import { decodeProfile, decodeProfileColumns, type ProfileSampleColumns } from "./pprof-proto-decode.js";
import { describeInputKind, isGzip, SNIFF_BYTES, sniffInput } from "./sniff.js";

export type ProfileFormat = "proto" | "legacy-heap-text";

export interface ParsedProfile {
  profile: Profile;
  /** The `# runtime.MemStats` block of a `?debug=1` heap profile, by Go field name. */
  memStats?: Record<string, number | bigint>;
  /** Where the profile came from, as the user named it (path, URL, `stdin`, `file#3`). */
  source: string;
  format: ProfileFormat;
  /** Whether the bytes were gzip-compressed. */
  gzipped: boolean;
  /**
   * With `samplesAs: "columns"`, a profile.proto's samples, in columns (`profile.samples` is then
   * empty). Undefined for legacy heap text, whose samples are always objects.
   */
  columns?: ProfileSampleColumns;
}

export interface ParseProfileOptions {
  /** Cap on the inflated size of gzip input; a decompression bomb fails instead of exhausting memory. */
  maxDecompressedBytes?: number;
  /**
   * How a profile.proto's samples come out: as Sample objects in `profile.samples` (the default), or
   * as `columns`, which graph reports read without an object per sample.
   */
  samplesAs?: "objects" | "columns";
}

export const DEFAULT_MAX_DECOMPRESSED_BYTES = 1024 ** 3;

export function parseProfileBytes(
  bytes: Uint8Array,
  name: string,
  options: ParseProfileOptions = {},
): ParsedProfile {
  const fail = (problem: string): never => {
    throw new ProfileDecodeError(`${name}: ${problem}`);
  };
  if (bytes.length === 0) fail("empty input (0 bytes)");

  let data = bytes;
  const gzipped = isGzip(bytes);
  if (gzipped) data = gunzip(bytes, options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES, fail);
  if (data.length === 0) fail("empty profile (the gzip data inflates to 0 bytes)");

  if (startsWithText(data, "heap profile:")) {
    const text = new TextDecoder().decode(data);
    if (looksLikeLegacyHeapText(text)) {
      try {
        const { profile, memStats } = parseLegacyHeapText(text);
        return { profile, memStats, source: name, format: "legacy-heap-text", gzipped };
      } catch (error) {
        if (error instanceof ProfileDecodeError) fail(error.message);
        throw error;
      }
    }
  }

  try {
    if (options.samplesAs === "columns") {
      const { profile, columns } = decodeProfileColumns(data);
      return { profile, columns, source: name, format: "proto", gzipped };
    }
    return { profile: decodeProfile(data), source: name, format: "proto", gzipped };
  } catch (error) {
    if (!(error instanceof ProfileDecodeError)) throw error;
    const hint = describeOtherContent(data);
    if (hint) fail(`not a pprof profile (${hint})`);
    // Gzipped bytes were meant to be a profile: report the damage. Raw bytes may be anything.
    fail(gzipped ? error.message : `not a pprof profile (${error.message})`);
  }
  throw new Error("unreachable");
}

function gunzip(bytes: Uint8Array, cap: number, fail: (problem: string) => never): Uint8Array {
  try {
    return inflateGzip(bytes, cap);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ERR_BUFFER_TOO_LARGE" || error instanceof RangeError) {
      return fail(`decompressed size exceeds ${formatBytes(cap)} (--max-decompressed)`);
    }
    if (code === "Z_BUF_ERROR") return fail("corrupt gzip data (truncated)");
    const detail = error instanceof Error ? error.message : String(error);
    return fail(`corrupt gzip data (${detail})`);
  }
}

/** Deflate cannot do better than about 1032:1, so no honest gzip member inflates to more. */
const MAX_DEFLATE_RATIO = 1032;

/**
 * Inflates gzip data, failing (zlib's errors) past `cap` bytes. The gzip trailer's size field
 * (ISIZE, the last member's size mod 2^32) sizes the output buffer, so a profile inflates into one
 * buffer instead of many 16 KiB chunks joined at the end; it is only a hint, bounded by the cap and
 * by what deflate can possibly produce from the input, and a wrong hint only costs speed.
 */
export function inflateGzip(bytes: Uint8Array, cap: number = DEFAULT_MAX_DECOMPRESSED_BYTES): Uint8Array {
  let chunkSize = 64 * 1024;
  if (bytes.length >= 18) {
    const at = bytes.length - 4;
    const hinted =
      (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
    const possible = Math.min(cap, bytes.length * MAX_DEFLATE_RATIO, 512 * 1024 * 1024);
    if (hinted >= chunkSize && hinted < possible) chunkSize = hinted + 1;
  }
  const inflated = gunzipSync(bytes, { maxOutputLength: cap, chunkSize });
  return new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.byteLength);
}

function startsWithText(data: Uint8Array, prefix: string): boolean {
  if (data.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (data[i] !== prefix.charCodeAt(i)) return false;
  return true;
}

/** A short description of content that is not a profile, or undefined for other binary data. */
function describeOtherContent(data: Uint8Array): string | undefined {
  const kind = sniffInput(data.subarray(0, SNIFF_BYTES));
  if (kind === "binary" || kind === "pprof-proto") return undefined;
  if (kind !== "text") return `this is ${describeInputKind(kind)}`;
  const text = new TextDecoder().decode(data.subarray(0, SNIFF_BYTES));
  const firstLine = (text.split("\n").find((line) => line.trim() !== "") ?? "").trim();
  if (/^(threadcreate|block|mutex) profile: total/.test(firstLine))
    return `this is a ${firstLine.split(" ")[0]} profile`;
  if (/^--- (contention|mutex):/.test(firstLine)) return "this is a legacy contention profile";
  if (/^<!doctype html|^<html/i.test(firstLine)) return "this is an HTML page";
  if (/^[{[]/.test(firstLine)) return "this is JSON";
  // A "text" with control characters up front is more likely a small broken profile: let the
  // decoder's message speak.
  if (/[\u0000-\u0008\u000e-\u001f\u007f]/.test(firstLine)) return undefined;
  const shown = firstLine.length > 60 ? `${firstLine.slice(0, 60)}…` : firstLine;
  return `text starting with ${JSON.stringify(shown)}`;
}
