import { render } from "preact";
import "./styles.css";
import "./test-hook.js";
import { flameApiPath, opensOnFlameGraph } from "../../shared/flame-path.js";
import { prefetchJson } from "./api.js";
import { App, metaApiPath } from "./app.js";
import { prefetchDoctor } from "./doctor/prefetch.js";
import { prefetchFlame } from "./flame/load.js";
import { pageDocumentKinds } from "./page-documents.js";

performance.mark("heapscope:script-start");
// Start what the first view needs before the UI renders: the workspace and, on a page that opens
// on a flame graph, the flame tree (which the server also asked the browser to preload with the
// page; it is decoded as soon as it arrives) and the profile's metadata; the views take what has
// arrived when they first render. The UI renders at once rather than once they arrived: laying the
// page out while they download takes that work off the path to the first flame graph paint.
const params = new URLSearchParams(location.search);
const get = (key: string) => params.get(key);
prefetchJson("/api/workspace");
if (opensOnFlameGraph(get, pageDocumentKinds())) {
  prefetchFlame(flameApiPath(get));
  prefetchJson(metaApiPath(get("src") ?? ""));
} else {
  prefetchDoctor(get, pageDocumentKinds());
}

render(<App />, document.getElementById("app")!);
