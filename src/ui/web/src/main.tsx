import { render } from "preact";
import "./styles.css";
import "./test-hook.js";
import { prefetchBinary } from "./api.js";
import { App } from "./app.js";
import { flamePath } from "./flame/FlameView.js";
import { readUrlState } from "./url-state.js";

// Start the flame graph download before the UI renders; the flame view picks the response up.
const initial = readUrlState();
if (initial.view === "" || initial.view === "flame") prefetchBinary(flamePath(initial));

render(<App />, document.getElementById("app")!);
