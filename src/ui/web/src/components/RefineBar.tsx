/** pprof's Refine controls: sample type, focus/ignore/hide/show, granularity. All kept in the URL. */
import { useEffect, useState } from "preact/hooks";
import type { ProfileMeta } from "../../../shared/api-types.js";
import { navigate, type UrlState } from "../url-state.js";

const granularities = [
  ["functions", "Functions"],
  ["filefunctions", "File:function"],
  ["files", "Files"],
  ["lines", "Lines"],
  ["addresses", "Addresses"],
] as const;

const filters = [
  ["f", "Focus", "keep samples through a matching frame"],
  ["i", "Ignore", "drop samples through a matching frame"],
  ["h", "Hide", "remove matching frames from stacks"],
  ["s", "Show", "keep only matching frames in stacks"],
] as const;

function FilterInput({
  param,
  label,
  title,
  value,
}: {
  param: "f" | "i" | "h" | "s";
  label: string;
  title: string;
  value: string;
}) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  const apply = () => {
    if (text !== value) navigate({ [param]: text });
  };
  return (
    <label class="refine-filter" title={title}>
      <span>{label}</span>
      <input
        type="text"
        name={param}
        value={text}
        placeholder="regex"
        onInput={(e) => setText((e.target as HTMLInputElement).value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") apply();
        }}
        onBlur={apply}
      />
    </label>
  );
}

export function RefineBar({ state, meta }: { state: UrlState; meta: ProfileMeta }) {
  const sampleIndex = meta.sampleTypes.findIndex((t) => t.type === state.si);
  const selected = sampleIndex >= 0 ? sampleIndex : meta.defaultSampleIndex;
  const anyFilter = state.f || state.i || state.h || state.s || state.g;
  return (
    <div class="refine">
      <label class="refine-select">
        <span>Sample</span>
        <select
          name="si"
          aria-label="Sample type"
          value={String(selected)}
          onChange={(e) => {
            const index = Number((e.target as HTMLSelectElement).value);
            navigate({ si: meta.sampleTypes[index]?.type ?? "" });
          }}
        >
          {meta.sampleTypes.map((t, k) => (
            <option key={t.type} value={String(k)}>
              {t.type} ({t.unit})
            </option>
          ))}
        </select>
      </label>
      <label class="refine-select">
        <span>Granularity</span>
        <select
          name="g"
          aria-label="Granularity"
          value={state.g || "functions"}
          onChange={(e) => {
            const value = (e.target as HTMLSelectElement).value;
            navigate({ g: value === "functions" ? "" : value });
          }}
        >
          {granularities.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      {filters.map(([param, label, title]) => (
        <FilterInput key={param} param={param} label={label} title={title} value={state[param]} />
      ))}
      {anyFilter && (
        <button type="button" onClick={() => navigate({ f: "", i: "", h: "", s: "", g: "" })}>
          Reset
        </button>
      )}
    </div>
  );
}
