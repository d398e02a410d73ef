import { useEffect, useState } from "preact/hooks";
import { navigate } from "../url-state.js";

/** The `fn` regex box shared by peek and source. */
export function FunctionInput({ value, label }: { value: string; label: string }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  return (
    <form
      class="fn-input"
      onSubmit={(e) => {
        e.preventDefault();
        navigate({ fn: text });
      }}
    >
      <label>
        <span>{label}</span>
        <input
          type="text"
          name="fn"
          value={text}
          placeholder="function regex, e.g. main\\."
          onInput={(e) => setText((e.target as HTMLInputElement).value)}
        />
      </label>
      <button type="submit">Show</button>
    </form>
  );
}
