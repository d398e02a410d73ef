/** The top table: flat and cum per function, sortable and filterable, like pprof's /top. */
import { useMemo, useState } from "preact/hooks";
import { formatQuantity, formatSignedQuantity } from "../../../../model/units.js";
import type { TopReport, TopRow } from "../../../shared/api-types.js";
import { formatShare, regexEscape } from "../format.js";
import { navigate, profileQuery, type UrlState } from "../url-state.js";
import { useJson } from "../use-json.js";

type SortKey = "flat" | "cum" | "name" | "delta";

function compareRows(key: SortKey, a: TopRow, b: TopRow): number {
  switch (key) {
    case "name":
      return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
    case "flat":
      return Math.abs(b.flat) - Math.abs(a.flat) || (a.name < b.name ? -1 : 1);
    case "cum":
      return Math.abs(b.cum) - Math.abs(a.cum) || (a.name < b.name ? -1 : 1);
    case "delta":
      return (
        Math.abs(b.cum - (b.baseCum ?? 0)) - Math.abs(a.cum - (a.baseCum ?? 0)) || (a.name < b.name ? -1 : 1)
      );
  }
}

export function TopView({ state }: { state: UrlState }) {
  const { data, error } = useJson<TopReport>(`/api/top?${profileQuery(state)}`, "top");
  const [sort, setSort] = useState<SortKey>("flat");
  const [filter, setFilter] = useState("");
  const rows = useMemo(() => {
    if (!data) return [];
    let pattern: RegExp;
    try {
      pattern = new RegExp(filter, "i");
    } catch {
      pattern = new RegExp(regexEscape(filter), "i");
    }
    return data.rows.filter((r) => !filter || pattern.test(r.name)).sort((a, b) => compareRows(sort, a, b));
  }, [data, sort, filter]);
  if (error) return <div class="error">Could not load the top table: {error}</div>;
  if (!data) return <div class="loading">Loading…</div>;
  const unit = data.sampleType.unit;
  let running = 0;
  const header = (key: SortKey, label: string) => (
    <th
      class={`sortable ${sort === key ? "sorted" : ""}`}
      aria-sort={sort === key ? (key === "name" ? "ascending" : "descending") : "none"}
    >
      <button type="button" onClick={() => setSort(key)}>
        {label}
      </button>
    </th>
  );
  return (
    <div class="top-view">
      <div class="toolbar">
        <input
          type="search"
          placeholder="Filter functions (regex)"
          aria-label="Filter functions"
          value={filter}
          onInput={(e) => setFilter((e.target as HTMLInputElement).value)}
        />
        <span class="toolbar-info">
          {data.sampleType.type} · total {formatQuantity(data.total, unit)}
          {data.diff && data.baseTotal !== undefined ? ` (base ${formatQuantity(data.baseTotal, unit)})` : ""}{" "}
          · {rows.length} of {data.rowCount} functions
        </span>
      </div>
      <table class="top-table">
        <thead>
          <tr>
            {header("flat", "Flat")}
            <th>Flat%</th>
            <th>Sum%</th>
            {header("cum", "Cum")}
            <th>Cum%</th>
            {data.diff && header("delta", "Δ Cum")}
            {header("name", "Name")}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            running += row.flat;
            return (
              <tr key={row.name}>
                <td class="num">{formatQuantity(row.flat, unit)}</td>
                <td class="num">{formatShare(row.flat, data.total)}</td>
                <td class="num">{formatShare(running, data.total)}</td>
                <td class="num">{formatQuantity(row.cum, unit)}</td>
                <td class="num">{formatShare(row.cum, data.total)}</td>
                {data.diff && <td class="num">{formatSignedQuantity(row.cum - (row.baseCum ?? 0), unit)}</td>}
                <td class="name">
                  <button
                    type="button"
                    class="link"
                    title={row.file}
                    onClick={() => navigate({ view: "sandwich", frame: row.name })}
                  >
                    {row.name}
                  </button>
                  <span class="row-actions">
                    <button
                      type="button"
                      class="link small"
                      onClick={() => navigate({ view: "peek", fn: `^${regexEscape(row.name)}$` })}
                    >
                      peek
                    </button>
                    <button
                      type="button"
                      class="link small"
                      onClick={() => navigate({ view: "source", fn: `^${regexEscape(row.name)}$` })}
                    >
                      source
                    </button>
                    <button
                      type="button"
                      class="link small"
                      onClick={() => navigate({ view: "graph", node: row.name })}
                    >
                      graph
                    </button>
                  </span>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {data.rows.length < data.rowCount && (
        <p class="hint">
          Showing the first {data.rows.length} rows by flat; refine with Focus to see others.
        </p>
      )}
    </div>
  );
}
