/** Live updates over server-sent events (record --ui): calls `onEvent` for every event. */
import { useEffect, useRef } from "preact/hooks";
import type { LiveEvent } from "../../shared/api-types.js";
import { markLoaded } from "./test-hook.js";

export function useLiveUpdates(enabled: boolean, onEvent: (event: LiveEvent) => void): void {
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    if (!enabled) return;
    const source = new EventSource("/api/events");
    source.addEventListener("message", (event: MessageEvent<string>) => {
      let payload: LiveEvent;
      try {
        payload = JSON.parse(event.data) as LiveEvent;
      } catch {
        return;
      }
      markLoaded(`live:${payload.type}`);
      handler.current(payload);
      // The recording is complete: nothing more will come, and EventSource would reconnect.
      if (payload.type === "end") source.close();
    });
    return () => source.close();
  }, [enabled]);
}
