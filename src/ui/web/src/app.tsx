import { useState } from "preact/hooks";
import type { DocumentKind, ProfileMeta, WorkspaceInfo } from "../../shared/api-types.js";
import { opensOnFlameGraph } from "../../shared/flame-path.js";
import { RefineBar } from "./components/RefineBar.js";
import { PANEL_ID, Tabs, tabId } from "./components/Tabs.js";
import { DoctorView } from "./doctor/DoctorView.js";
import { FlameView, SandwichView } from "./flame/FlameView.js";
import { useLiveUpdates } from "./live.js";
import { pageDocumentKinds } from "./page-documents.js";
import { RetentionView } from "./retention/RetentionView.js";
import { navigate, type UrlState, useUrlState, type ViewName } from "./url-state.js";
import { useJson } from "./use-json.js";
import { GoroutinesView } from "./views/GoroutinesView.js";
import { GraphView } from "./views/GraphView.js";
import { PeekView } from "./views/PeekView.js";
import { SourceView } from "./views/SourceView.js";
import { TimelineView } from "./views/TimelineView.js";
import { TopView } from "./views/TopView.js";

const profileViews: Array<[ViewName, string]> = [
  ["flame", "Flame graph"],
  ["sandwich", "Sandwich"],
  ["top", "Top"],
  ["peek", "Peek"],
  ["source", "Source"],
  ["graph", "Graph"],
];

function documentOf(ref: string): string {
  const at = ref.indexOf("@");
  return at >= 0 ? ref.slice(0, at) : ref;
}

function defaultView(kind: DocumentKind, src: string): ViewName {
  if (kind === "goroutines") return "goroutines";
  if (kind === "heapdump") return "retention";
  if (kind === "gctrace" || kind === "memstats") return "timeline";
  if (kind === "recording" && !src.includes("@")) return "doctor";
  return "flame";
}

/** The API path of a profile's metadata (main.tsx prefetches it with the page). */
export function metaApiPath(src: string): string {
  return `/api/meta?${new URLSearchParams(src ? { src } : {}).toString()}`;
}

function ProfileViews({
  state,
  view,
  workspace,
}: {
  state: UrlState;
  view: ViewName;
  /** Null while it loads (the flame graph is shown meanwhile). */
  workspace: WorkspaceInfo | null;
}) {
  const meta = useJson<ProfileMeta>(metaApiPath(state.src), "meta");
  const profiles = workspace?.documents.filter((d) => d.kind === "profile") ?? [];
  return (
    <>
      <Tabs tabs={profileViews} current={view} onSelect={(name) => navigate({ view: name })}>
        {profiles.length > 1 && (
          <label class="compare">
            <span>Compare with</span>
            <select
              name="base"
              aria-label="Diff base"
              value={state.base}
              onChange={(e) => navigate({ base: (e.target as HTMLSelectElement).value })}
            >
              <option value="">(no diff)</option>
              {profiles
                .filter((d) => d.id !== documentOf(state.src || profiles[0]!.id))
                .map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.name}
                  </option>
                ))}
            </select>
          </label>
        )}
        {state.base && profiles.length <= 1 && (
          <span class="diff-badge">
            diff against {state.base}{" "}
            <button type="button" class="link small" onClick={() => navigate({ base: "" })}>
              clear
            </button>
          </span>
        )}
      </Tabs>
      {meta.error && <div class="error">{meta.error}</div>}
      {meta.data && <RefineBar state={state} meta={meta.data} />}
      <div class="view" id={PANEL_ID} role="tabpanel" aria-labelledby={tabId(view)}>
        {view === "flame" && <FlameView state={state} />}
        {view === "sandwich" && <SandwichView state={state} />}
        {view === "top" && <TopView state={state} />}
        {view === "peek" && <PeekView state={state} />}
        {view === "source" && <SourceView state={state} available={workspace?.sourceAvailable ?? false} />}
        {view === "graph" && <GraphView state={state} />}
      </div>
    </>
  );
}

export function App() {
  const state = useUrlState();
  const [liveTick, setLiveTick] = useState(0);
  const workspace = useJson<WorkspaceInfo>(
    `/api/workspace${liveTick > 0 ? `?t=${liveTick}` : ""}`,
    "workspace",
  );
  // Keep showing the last workspace while a live update refetches it.
  const [lastWorkspace, setLastWorkspace] = useState<WorkspaceInfo | null>(null);
  if (workspace.data && workspace.data !== lastWorkspace) setLastWorkspace(workspace.data);
  useLiveUpdates(lastWorkspace?.live ?? false, () => setLiveTick((t) => t + 1));
  const info = workspace.data ?? lastWorkspace;
  if (workspace.error && !info) return <div class="error">Could not reach heapscope: {workspace.error}</div>;
  // A page that opens on a flame graph shows it without waiting for the workspace (the flame tree
  // is already on its way); the rest of the page fills in when the workspace arrives, in the same
  // element tree, so the flame graph stays mounted.
  const early =
    !info &&
    opensOnFlameGraph(
      (key) => (state as unknown as Record<string, string>)[key] || null,
      pageDocumentKinds(),
    );
  if (!info && !early) return <div class="loading">Loading…</div>;
  const docs = info?.documents ?? [];
  if (info && docs.length === 0) {
    return (
      <div class="empty">
        {info.live ? (
          "Waiting for the recording to start…"
        ) : (
          <>
            Nothing loaded: run <code>heapscope ui heap.pb.gz</code> or{" "}
            <code>heapscope ui recording.hsrec</code>
          </>
        )}
      </div>
    );
  }
  const currentDoc = docs.find((d) => d.id === documentOf(state.src)) ?? docs[0];
  const view = (state.view || (currentDoc ? defaultView(currentDoc.kind, state.src) : "flame")) as ViewName;
  const isProfileView = profileViews.some(([name]) => name === view);
  return (
    <div class="app">
      <header class="header">
        <span class="brand">heapscope</span>
        {!currentDoc ? null : docs.length > 1 ? (
          <select
            class="doc-picker"
            aria-label="Input"
            value={currentDoc.id}
            onChange={(e) => navigate({ src: (e.target as HTMLSelectElement).value, base: "", view: "" })}
          >
            {docs.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name} — {d.description}
              </option>
            ))}
          </select>
        ) : (
          <span class="doc-name" title={currentDoc.description}>
            {currentDoc.name} — {currentDoc.description}
          </span>
        )}
        {currentDoc?.kind === "recording" && state.src.includes("@") && (
          <button
            type="button"
            onClick={() => navigate({ src: currentDoc.id, base: "", view: "doctor", q: "" })}
          >
            Back to the doctor
          </button>
        )}
        {currentDoc?.kind === "recording" && !state.src.includes("@") && (
          <button
            type="button"
            onClick={() =>
              navigate({
                src: currentDoc.id,
                base: "",
                view: view === "retention" ? "doctor" : "retention",
              })
            }
          >
            {view === "retention" ? "Back to the doctor" : "What holds memory"}
          </button>
        )}
        {currentDoc?.live && <span class="live-badge">live</span>}
      </header>
      {isProfileView ? (
        <ProfileViews state={state} view={view} workspace={info} />
      ) : !currentDoc ? null : view === "retention" ? (
        <main class="view flow">
          <RetentionView src={currentDoc.id} root={state.root} site={state.site} />
        </main>
      ) : view === "goroutines" ? (
        <main class="view flow">
          <GoroutinesView src={currentDoc.id} />
        </main>
      ) : currentDoc.kind === "recording" ? (
        <main class="view flow">
          <DoctorView src={currentDoc.id} name={currentDoc.name} tick={liveTick} />
        </main>
      ) : (
        <main class="view flow">
          <TimelineView src={currentDoc.id} kind={currentDoc.kind} tick={liveTick} />
        </main>
      )}
    </div>
  );
}
