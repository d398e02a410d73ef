/** Mounts the icicle renderer in a box and keeps it drawing the current tree, zoom, selection and highlight. */
import type { RefObject } from "preact";
import { useLayoutEffect, useRef } from "preact/hooks";
import { markLoaded } from "../test-hook.js";
import { type IcicleCallbacks, IcicleRenderer } from "./icicle.js";
import { registerRetention } from "./retention-hook.js";
import type { IcicleTree } from "./tree.js";

export interface IcicleState {
  selected: number;
  zoomed: number;
  highlight: Uint8Array | null;
}

export function useIcicle(
  box: RefObject<HTMLDivElement | null>,
  tree: IcicleTree,
  state: IcicleState,
  callbacks: IcicleCallbacks,
): void {
  const renderer = useRef<IcicleRenderer | null>(null);
  const latest = useRef({ state, callbacks });
  latest.current = { state, callbacks };
  useLayoutEffect(() => {
    const r = new IcicleRenderer(box.current!, {
      onHover: (node, x, y) => latest.current.callbacks.onHover(node, x, y),
      onClick: (node) => latest.current.callbacks.onClick(node),
    });
    renderer.current = r;
    const unregister = registerRetention(r, () => ({
      selected: latest.current.state.selected,
      zoomed: latest.current.state.zoomed,
    }));
    return () => {
      unregister();
      r.destroy();
    };
  }, []);
  useLayoutEffect(() => {
    renderer.current!.setTree(tree);
    markLoaded("retention-icicle");
  }, [tree]);
  useLayoutEffect(() => {
    renderer.current!.setState(state);
  }, [tree, state.zoomed, state.selected, state.highlight]);
}
