/**
 * The retention view: what holds a heap dump's memory, as an icicle of the aggregated dominator tree
 * (widths are retained bytes; holders under the whole heap), with a tooltip, search, zoom, and the
 * retaining path of the selected group. `root` and `site` in the URL select a holder and highlight
 * an allocation site's groups (suspect cards link here). The icicle is focusable: arrows move the
 * selection, Enter zooms, Escape resets; the selection is announced in an aria-live region.
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { formatBytes, formatCount } from "../../../../model/units.js";
import type { RetentionResponse } from "../../../shared/retention-wire.js";
import { formatShare } from "../format.js";
import { useJson } from "../use-json.js";
import { RetentionEmptyState } from "./EmptyState.js";
import { PathPanel } from "./PathPanel.js";
import { useIcicle } from "./use-icicle.js";
import "./retention.css";
import {
  describeKind,
  findHolder,
  findSite,
  type IcicleTree,
  icicleTree,
  moveSelection,
  searchTree,
} from "./tree.js";

interface Hover {
  node: number;
  x: number;
  y: number;
}

/** The node the URL asks for: the site's largest group (under the root when given), else the root. */
function initialSelection(tree: IcicleTree, root: string, site: string): number {
  const holder = findHolder(tree, root);
  const sites = findSite(tree, site, Math.max(holder, 0));
  if (sites.length > 0) return sites[0]!;
  if (holder > 0) return holder;
  return tree.children[0]?.[0] ?? 0;
}

export function matchSummary(count: number): string {
  return count === 1 ? "1 group matches" : `${count} groups match`;
}

/** A selection too narrow to see at full width (under 1 % of the heap) opens zoomed to its holder. */
function initialZoom(tree: IcicleTree, node: number): number {
  if (node <= 0 || tree.bytes[node]! >= 0.01 * tree.bytes[0]!) return 0;
  let holder = node;
  while (tree.parent[holder]! > 0) holder = tree.parent[holder]!;
  return holder;
}

function siteHighlight(tree: IcicleTree, site: string): Uint8Array | null {
  const nodes = findSite(tree, site);
  if (nodes.length === 0) return null;
  const mark = new Uint8Array(tree.count);
  for (const v of nodes) mark[v] = 1;
  return mark;
}

export function nodeSummary(tree: IcicleTree, node: number): string {
  const n = tree.wire.nodes;
  return `${n.name[node]}: ${describeKind(tree, node)}, retains ${formatBytes(n.bytes[node]!)} in ${formatCount(n.objects[node]!)} objects, ${formatShare(n.bytes[node]!, tree.bytes[0]!)} of the reachable heap`;
}

export function RetentionView({ src, root, site }: { src: string; root: string; site: string }) {
  const { data, error } = useJson<RetentionResponse>(
    `/api/retention?src=${encodeURIComponent(src)}`,
    "retention",
  );
  const tree = useMemo(() => (data?.status === "ok" ? icicleTree(data) : null), [data]);
  if (error) return <div class="error">{error}</div>;
  if (!data) return <div class="loading">Reading the heap dump…</div>;
  if (data.status === "no-dump" || !tree)
    return <RetentionEmptyState message={data.status === "no-dump" ? data.message : ""} />;
  return <RetentionIcicle src={src} tree={tree} root={root} site={site} />;
}

function RetentionIcicle({
  src,
  tree,
  root,
  site,
}: {
  src: string;
  tree: IcicleTree;
  root: string;
  site: string;
}) {
  const wire = tree.wire;
  const [selected, setSelected] = useState(() => initialSelection(tree, root, site));
  const [zoomed, setZoomed] = useState(() => initialZoom(tree, initialSelection(tree, root, site)));
  const [hover, setHover] = useState<Hover | null>(null);
  const [search, setSearch] = useState("");
  useEffect(() => {
    const node = initialSelection(tree, root, site);
    setSelected(node);
    setZoomed(initialZoom(tree, node));
  }, [tree, root, site]);
  const highlight = useMemo(
    () => searchTree(tree, search) ?? siteHighlight(tree, site),
    [tree, search, site],
  );
  const box = useRef<HTMLDivElement>(null);
  const focusBox = useRef<HTMLDivElement>(null);
  useIcicle(
    box,
    tree,
    { selected, zoomed, highlight },
    {
      onHover: (node, x, y) => setHover(node === null ? null : { node, x, y }),
      onClick: (node) => {
        setSelected(node);
        setZoomed(node);
        focusBox.current?.focus();
      },
    },
  );
  const onKey = (e: KeyboardEvent) => {
    if (e.key === "Enter") setZoomed(selected);
    else if (e.key === "Escape") setZoomed(0);
    else if (e.key.startsWith("Arrow")) setSelected(moveSelection(tree, Math.max(selected, 0), e.key));
    else return;
    e.preventDefault();
  };
  const matched = highlight ? highlight.reduce((sum, m) => sum + m, 0) : 0;
  return (
    <div class="retention-view">
      <RetentionToolbar
        tree={tree}
        site={site}
        search={search}
        onSearch={setSearch}
        matched={matched}
        zoomed={zoomed}
        onReset={() => setZoomed(0)}
      />
      {/* A tree whose one rendered item is the selection (the canvas draws the rest). */}
      <div
        class="retention-focus"
        tabIndex={0}
        role="tree"
        aria-label="What holds the heap: retained bytes by holder, then by allocation site. Arrows move, Enter zooms, Escape resets."
        aria-activedescendant="retention-active"
        data-retention=""
        onKeyDown={onKey}
        ref={focusBox}
      >
        <span
          id="retention-active"
          class="visually-hidden"
          role="treeitem"
          tabIndex={-1}
          aria-selected="true"
          aria-level={tree.depth[selected]! + 1}
        >
          {wire.nodes.name[selected]}
        </span>
        <div ref={box} class="flame-box retention-box" />
      </div>
      <p id="retention-selection" class="retention-selection" aria-live="polite">
        {selected >= 0 ? nodeSummary(tree, selected) : ""}
      </p>
      {hover && <RetentionTooltip tree={tree} hover={hover} />}
      <PathPanel src={src} node={selected} name={wire.nodes.name[selected] ?? ""} />
      {wire.limits.length > 0 && (
        <ul class="hints retention-limits">
          {wire.limits.map((l, k) => (
            <li key={k}>{l}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function RetentionTooltip({ tree, hover }: { tree: IcicleTree; hover: Hover }) {
  const n = tree.wire.nodes;
  const v = hover.node;
  const style = { left: `${Math.min(hover.x + 14, window.innerWidth - 420)}px`, top: `${hover.y + 16}px` };
  return (
    <div class="tooltip" style={style} role="tooltip">
      <div class="tooltip-name">{n.name[v]}</div>
      <div class="tooltip-file">
        {describeKind(tree, v)}
        {n.siteLine[v] ? ` — ${n.siteLine[v]}` : ""}
      </div>
      <table>
        <tbody>
          <tr>
            <th>retained</th>
            <td>
              {formatBytes(n.bytes[v]!)} ({formatShare(n.bytes[v]!, tree.bytes[0]!)})
            </td>
          </tr>
          <tr>
            <th>objects</th>
            <td>{formatCount(n.objects[v]!)}</td>
          </tr>
          {n.members[v]! > 1 && (
            <tr>
              <th>groups</th>
              <td>{formatCount(n.members[v]!)} members</td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

function RetentionToolbar(props: {
  tree: IcicleTree;
  site: string;
  search: string;
  onSearch: (text: string) => void;
  matched: number;
  zoomed: number;
  onReset: () => void;
}) {
  const { tree, site, search, onSearch, matched, zoomed, onReset } = props;
  return (
    <div class="toolbar">
      <label class="search">
        Search{" "}
        <input
          type="search"
          aria-label="Search holders and sites"
          value={search}
          onInput={(e) => onSearch((e.target as HTMLInputElement).value)}
        />
      </label>
      {matched > 0 && <span class="search-summary">{matchSummary(matched)}</span>}
      {site && findSite(tree, site).length === 0 && (
        <span class="search-summary" data-site-missing="">
          no sampled objects of {site} in this dump
        </span>
      )}
      {zoomed !== 0 && (
        <button type="button" class="link small" onClick={onReset}>
          reset zoom
        </button>
      )}
      <span class="toolbar-info">
        {formatBytes(tree.wire.reachableBytes)} reachable in {formatCount(tree.wire.reachableObjects)} objects
        {tree.wire.heapAlloc !== null && `, HeapAlloc ${formatBytes(tree.wire.heapAlloc)}`};{" "}
        {tree.wire.goVersion}
        {tree.wire.truncated && "; small groups merged"}
      </span>
    </div>
  );
}
