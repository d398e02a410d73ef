/**
 * The view tabs as an ARIA tablist: one tab in the tab order (the selected one), arrow keys, Home
 * and End move between tabs and open them (the views are cheap to switch); the panel is labelled by
 * its tab.
 */
import type { ComponentChildren } from "preact";
import type { ViewName } from "../url-state.js";

export const PANEL_ID = "view-panel";

export function tabId(view: string): string {
  return `tab-${view}`;
}

export function Tabs({
  tabs,
  current,
  onSelect,
  children,
}: {
  tabs: Array<[ViewName, string]>;
  current: ViewName;
  onSelect: (view: ViewName) => void;
  /** Controls shown after the tabs (the diff base picker). */
  children?: ComponentChildren;
}) {
  const onKeyDown = (e: KeyboardEvent) => {
    const at = tabs.findIndex(([name]) => name === current);
    let next = -1;
    if (e.key === "ArrowRight") next = (at + 1) % tabs.length;
    else if (e.key === "ArrowLeft") next = (at - 1 + tabs.length) % tabs.length;
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = tabs.length - 1;
    if (next < 0) return;
    e.preventDefault();
    const name = tabs[next]![0];
    onSelect(name);
    requestAnimationFrame(() => document.getElementById(tabId(name))?.focus());
  };
  return (
    <nav class="tabs" aria-label="Views">
      <div role="tablist" aria-label="Views" class="tablist" onKeyDown={onKeyDown}>
        {tabs.map(([name, label]) => (
          <button
            type="button"
            role="tab"
            id={tabId(name)}
            key={name}
            class={`tab ${current === name ? "active" : ""}`}
            aria-selected={current === name}
            aria-controls={PANEL_ID}
            tabIndex={current === name ? 0 : -1}
            onClick={() => onSelect(name)}
          >
            {label}
          </button>
        ))}
      </div>
      {children}
    </nav>
  );
}
