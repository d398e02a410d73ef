/** Peek: callers and callees of the functions matching a regex (pprof -peek). */

import { formatQuantity } from "../../../../model/units.js";
import type { PeekEdge, PeekReport } from "../../../shared/api-types.js";
import { useDefaultFunction } from "../components/default-function.js";
import { FunctionInput } from "../components/FunctionInput.js";
import { formatShare, regexEscape } from "../format.js";
import { navigate, profileQuery, type UrlState } from "../url-state.js";
import { useJson } from "../use-json.js";

function EdgeRows({ edges, of, unit, kind }: { edges: PeekEdge[]; of: number; unit: string; kind: string }) {
  return (
    <>
      {edges.map((edge) => (
        <tr key={`${kind}:${edge.name}`} class={`peek-${kind}`}>
          <td class="num">{formatQuantity(edge.value, unit)}</td>
          <td class="num">{formatShare(edge.value, of)}</td>
          <td class="name">
            <span class="peek-arrow">{kind === "caller" ? "↑" : "↓"}</span>
            <button
              type="button"
              class="link"
              onClick={() => navigate({ fn: `^${regexEscape(edge.name)}$` })}
            >
              {edge.name}
            </button>
          </td>
        </tr>
      ))}
    </>
  );
}

export function PeekView({ state }: { state: UrlState }) {
  useDefaultFunction(state);
  const path = state.fn ? `/api/peek?${profileQuery(state, { fn: state.fn })}` : null;
  const { data, error } = useJson<PeekReport>(path, "peek");
  return (
    <div class="peek-view">
      <FunctionInput value={state.fn} label="Peek at" />
      {!state.fn && <p class="empty">Enter a function regex to see its callers and callees.</p>}
      {error && <div class="error">{error}</div>}
      {data && data.entries.length === 0 && <p class="empty">No function matches.</p>}
      {data?.entries.map((entry) => (
        <table class="peek-table" key={entry.name}>
          <thead>
            <tr>
              <th>Value</th>
              <th>%</th>
              <th>
                <span class="fn-name">{entry.name}</span>{" "}
                <span class="muted">
                  flat {formatQuantity(entry.flat, data.sampleType.unit)} · cum{" "}
                  {formatQuantity(entry.cum, data.sampleType.unit)} ({formatShare(entry.cum, data.total)})
                </span>
              </th>
            </tr>
          </thead>
          <tbody>
            <EdgeRows edges={entry.callers} of={entry.cum} unit={data.sampleType.unit} kind="caller" />
            <tr class="peek-self">
              <td class="num">{formatQuantity(entry.cum, data.sampleType.unit)}</td>
              <td class="num">100%</td>
              <td class="name fn-name">{entry.name}</td>
            </tr>
            <EdgeRows edges={entry.callees} of={entry.cum} unit={data.sampleType.unit} kind="callee" />
          </tbody>
        </table>
      ))}
      {data?.truncated && <p class="hint">More functions match; narrow the regex.</p>}
    </div>
  );
}
