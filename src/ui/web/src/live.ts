/** Live updates over server-sent events (record --ui): a counter that bumps on every event. */
import { useEffect, useState } from "preact/hooks";
import type { LiveEvent } from "../../shared/api-types.js";

export function useLiveUpdates(enabled: boolean): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!enabled) return;
    const source = new EventSource("/api/events");
    const bump = (event: MessageEvent<string>) => {
      try {
        const payload = JSON.parse(event.data) as LiveEvent;
        if (payload.type) setTick((t) => t + 1);
      } catch {
        // ignore malformed events
      }
    };
    source.addEventListener("message", bump);
    return () => source.close();
  }, [enabled]);
  return tick;
}
