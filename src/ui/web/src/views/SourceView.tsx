/** Source lines of the functions matching a regex, with flat/cum per line (pprof -list / weblist). */

import { formatQuantity } from "../../../../model/units.js";
import type { SourceReport } from "../../../shared/api-types.js";
import { useDefaultFunction } from "../components/default-function.js";
import { FunctionInput } from "../components/FunctionInput.js";
import { profileQuery, type UrlState } from "../url-state.js";
import { useJson } from "../use-json.js";

export function SourceView({ state, available }: { state: UrlState; available: boolean }) {
  useDefaultFunction(state);
  const path = state.fn ? `/api/source?${profileQuery(state, { fn: state.fn })}` : null;
  const { data, error } = useJson<SourceReport>(path, "source");
  const unit = data?.sampleType.unit ?? "";
  const cell = (value: number) => (value === 0 ? "." : formatQuantity(value, unit));
  return (
    <div class="source-view">
      <FunctionInput value={state.fn} label="Source of" />
      {!available && (
        <p class="hint">
          Lines are listed without their text: source files are read only under the roots given with{" "}
          <code>heapscope ui PROFILE --source-path DIR</code> (DIR: your module's checkout).
        </p>
      )}
      {error && <div class="error">{error}</div>}
      {data && data.files.length === 0 && <p class="empty">No function matches.</p>}
      {data?.files.map((file) => (
        <section class="source-file" key={`${file.function}:${file.path}`}>
          <h3>
            <span class="fn-name">{file.function}</span> <span class="muted">in {file.path}</span>
          </h3>
          <p class="muted">
            flat {formatQuantity(file.flat, unit)} · cum {formatQuantity(file.cum, unit)}
            {file.unavailable ? ` · ${file.unavailable}` : ""}
          </p>
          <table class="source-table">
            <thead>
              <tr>
                <th>Flat</th>
                <th>Cum</th>
                <th>Line</th>
                <th>Source</th>
              </tr>
            </thead>
            <tbody>
              {file.lines.map((line) => (
                <tr key={line.line} class={line.cum !== 0 ? "hot" : ""}>
                  <td class="num">{cell(line.flat)}</td>
                  <td class="num">{cell(line.cum)}</td>
                  <td class="num lineno">{line.line}</td>
                  <td class="code">
                    <pre>{line.text}</pre>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
      {data?.truncated && <p class="hint">More functions match; narrow the regex.</p>}
    </div>
  );
}
