import { render } from "preact";
import "./styles.css";
import "./test-hook.js";
import { flameApiPath, opensOnFlameGraph } from "../../shared/flame-path.js";
import { prefetchBinary, prefetchJson } from "./api.js";
import { App } from "./app.js";

performance.mark("heapscope:script-start");
// Start the flame graph download before the UI renders (the server also asked the browser to
// preload it with the page); the flame view picks the response up. The server lists the
// documents' kinds in a meta element, so only a page that opens on a flame graph fetches it.
const kinds = new Map(
  (document.querySelector<HTMLMetaElement>('meta[name="heapscope-documents"]')?.content ?? "")
    .split(",")
    .filter((entry) => entry.includes(":"))
    .map((entry) => entry.split(":", 2) as [string, string]),
);
prefetchJson("/api/workspace");
const params = new URLSearchParams(location.search);
if (opensOnFlameGraph((key) => params.get(key), kinds))
  prefetchBinary(flameApiPath((key) => params.get(key)));

render(<App />, document.getElementById("app")!);
