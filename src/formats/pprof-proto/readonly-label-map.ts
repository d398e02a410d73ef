import type { SampleLabels } from "./sample-columns.js";

/**
 * Decoded label maps are read-only and may be shared between samples: `set`, `delete` and `clear`
 * throw, and the value arrays are frozen. Operations that change labels build new maps
 * (`new Map(sample.labels)`), which also leaves the decoded profile as it was.
 */
export class ReadonlyLabelMap<V> extends Map<string, V> {
  private sealed = false;

  constructor(entries?: Iterable<readonly [string, V]>) {
    super(entries ?? []);
    this.sealed = true;
  }

  override set(key: string, value: V): this {
    if (this.sealed)
      throw new TypeError(`read-only label map: copy it (new Map(map)) before setting "${key}"`);
    return super.set(key, value);
  }

  override delete(key: string): boolean {
    if (this.sealed)
      throw new TypeError(`read-only label map: copy it (new Map(map)) before deleting "${key}"`);
    return super.delete(key);
  }

  override clear(): void {
    if (this.sealed) throw new TypeError("read-only label map: copy it (new Map(map)) before clearing it");
    super.clear();
  }
}

/** The label maps of samples without labels of that kind. */
export const NO_STRING_LABELS: Map<string, string[]> = new ReadonlyLabelMap<string[]>();
export const NO_NUMERIC_LABELS: Map<string, bigint[]> = new ReadonlyLabelMap<bigint[]>();
export const NO_SAMPLE_LABELS: SampleLabels = {
  labels: NO_STRING_LABELS,
  numLabels: NO_NUMERIC_LABELS,
  numUnits: NO_STRING_LABELS,
};
