/**
 * Live updates for open pages: events published by the server (a recording grew, a document was
 * added) are streamed to every page on /api/events as server-sent events.
 */
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { LiveEvent } from "../shared/api-types.js";
import type { Workspace } from "./workspace.js";

/** A comment line this often keeps proxies from closing an idle stream. */
const KEEP_ALIVE_MS = 15_000;

export interface LiveHub {
  publish(event: LiveEvent): void;
  close(): void;
}

/** The pages listening, and how to publish to them or end their streams. */
export class LiveEventHub implements LiveHub {
  private readonly subscribers = new Set<(event: LiveEvent) => void>();
  private readonly closers = new Set<() => void>();

  constructor(private readonly workspace: Workspace) {}

  publish(event: LiveEvent): void {
    if (event.type !== "end") this.workspace.touch();
    for (const send of this.subscribers) send(event);
  }

  close(): void {
    for (const close of this.closers) close();
  }

  /** Streams the events published from now on to one page, until it leaves or the hub closes. */
  stream(c: Context): Response {
    return streamSSE(c, async (stream) => {
      let closed = false;
      let wake: (() => void) | undefined;
      const queue: LiveEvent[] = [];
      const send = (event: LiveEvent) => {
        queue.push(event);
        wake?.();
      };
      const close = () => {
        closed = true;
        wake?.();
      };
      this.subscribers.add(send);
      this.closers.add(close);
      stream.onAbort(close);
      try {
        await stream.writeSSE({ data: JSON.stringify({ type: "workspace" } satisfies LiveEvent) });
        while (!closed) {
          if (queue.length === 0) {
            await new Promise<void>((resolve) => {
              wake = resolve;
              setTimeout(resolve, KEEP_ALIVE_MS).unref();
            });
            wake = undefined;
            if (queue.length === 0 && !closed) await stream.write(": keep-alive\n\n");
            continue;
          }
          const event = queue.shift()!;
          await stream.writeSSE({ data: JSON.stringify(event), event: "message" });
          if (event.type === "end") break;
        }
      } finally {
        this.subscribers.delete(send);
        this.closers.delete(close);
      }
    });
  }
}
