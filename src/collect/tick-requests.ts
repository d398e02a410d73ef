/**
 * The HTTP requests of one sampling tick, one after another. When the first request finds the
 * target unreachable or hanging, the rest are skipped: they would fail the same way, each after
 * its own timeout.
 */
import type { CollectError, CollectSource } from "../model/recording.js";
import { type HttpClient, HttpFetchError } from "./http-client.js";

export type RequestErrorSink = (
  source: CollectSource,
  url: string,
  kind: CollectError["kind"],
  message: string,
) => void;

export class TickRequests {
  /** Some request got an HTTP answer (an error status counts). */
  answered = false;
  /** The connection-level failure (refused, timed out) that came before any answer. */
  unreachable: HttpFetchError | null = null;

  constructor(
    private readonly client: HttpClient | null,
    private readonly signal: AbortSignal | undefined,
    private readonly timeoutMs: number,
    /** Gets the failures other than `unreachable`. */
    private readonly onError: RequestErrorSink,
  ) {}

  /** No more requests are made: the target is unreachable or the tick was aborted. */
  get stopped(): boolean {
    return this.unreachable !== null || this.signal?.aborted === true;
  }

  /** The body of a 2xx answer; null when there is no URL, the request failed, or the tick stopped. */
  async get(source: CollectSource, url: string | undefined): Promise<Buffer | null> {
    const client = this.client;
    if (!url || !client || this.stopped) return null;
    try {
      const response = await client.getOk(url, { signal: this.signal, timeoutMs: this.timeoutMs });
      this.answered = true;
      return response.body;
    } catch (error) {
      if (this.signal?.aborted) return null;
      const fetchError =
        error instanceof HttpFetchError
          ? error
          : new HttpFetchError(url, "other", error instanceof Error ? error.message : String(error));
      if ((fetchError.kind === "connect" || fetchError.kind === "timeout") && !this.answered) {
        this.unreachable = fetchError;
      } else {
        this.answered = this.answered || fetchError.kind === "status" || fetchError.kind === "too-large";
        this.onError(source, url, fetchError.kind, fetchError.message);
      }
      return null;
    }
  }
}
