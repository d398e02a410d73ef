import { render } from "preact";
import "./styles.css";
import "./test-hook.js";
import { prefetchBinary } from "./api.js";
import { App } from "./app.js";
import { flamePath } from "./flame/FlameView.js";
import { readUrlState } from "./url-state.js";

performance.mark("heapscope:script-start");
// Start the flame graph download before the UI renders; the flame view picks the response up.
// The server lists the documents' kinds in a meta element, so only a profile view prefetches.
const initial = readUrlState();
const kinds = new Map(
  (document.querySelector<HTMLMetaElement>('meta[name="heapscope-documents"]')?.content ?? "")
    .split(",")
    .filter((entry) => entry.includes(":"))
    .map((entry) => entry.split(":", 2) as [string, string]),
);
const documentId = initial.src ? initial.src.split("@", 1)[0]! : ([...kinds.keys()][0] ?? "");
const kind = kinds.get(documentId);
const showsProfile = kind === "profile" || (kind === "recording" && initial.src.includes("@"));
if (initial.view === "flame" || (initial.view === "" && showsProfile)) prefetchBinary(flamePath(initial));

render(<App />, document.getElementById("app")!);
