// A leader's answer as it arrives, shared with the streaming followers of an identical request: the leader's response
// items kept in order and pushed to every attached follower, which renders them in its own client API (live-replay.ts).
// While a follower is attached the leader's upstream call outlives the leader's own client (UpstreamHold, held-body.ts):
// a follower that has received bytes is never handed the leader's departure.
import type { LlmUsage, ResponseItem } from '../../../core/llm/index.js';

/** How the leader's answer ended: complete (with its usage), or cut / failed. */
export type LiveEnd = { ok: true; usage: LlmUsage | null; savedNanos: number | undefined } | { ok: false };

export interface LiveListener {
  item(item: ResponseItem): void;
  end(end: LiveEnd): void;
}

export class LiveAnswer {
  readonly items: ResponseItem[] = [];
  /** The model the leader's client asked for and the one it was told (a follower asking alike is told the same). */
  clientModel = '';
  model = '';
  readonly #listeners = new Set<LiveListener>();
  #end: LiveEnd | undefined;
  /** The leader's upstream was let go (nobody attached when its client left): nobody may attach any more. */
  #closed = false;
  #wake: Array<() => void> = [];

  get ended(): LiveEnd | undefined {
    return this.#end;
  }

  push(item: ResponseItem): void {
    if (this.#end !== undefined) return;
    this.items.push(item);
    for (const l of this.#listeners) l.item(item);
    this.#wakeAll();
  }

  end(end: LiveEnd): void {
    if (this.#end !== undefined) return;
    this.#end = end;
    for (const l of this.#listeners) l.end(end);
    this.#listeners.clear();
    this.#wakeAll();
  }

  /**
   * Asked when the leader's client goes away: true while a follower is attached (the upstream call is kept and
   * drained for it). False closes the answer to followers that have not attached yet: they are released instead.
   */
  hold(): boolean {
    if (this.#end === undefined && this.#listeners.size > 0) return true;
    this.#closed = true;
    return false;
  }

  /**
   * Attaches a follower: the items so far at once, then each as it comes, then the end. Undefined when the answer
   * cannot be joined (nothing arrived yet, it failed, or the leader's upstream was let go): the follower is released.
   */
  attach(l: LiveListener): (() => void) | undefined {
    if (this.#closed || this.items.length === 0 || this.#end?.ok === false) return undefined;
    for (const item of this.items) l.item(item);
    if (this.#end !== undefined) {
      l.end(this.#end);
      return () => undefined;
    }
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }

  /** Resolves at the first item or the end, whichever comes first (at once when either happened). */
  started(): Promise<void> {
    if (this.items.length > 0 || this.#end !== undefined) return Promise.resolve();
    return new Promise((r) => this.#wake.push(r));
  }

  #wakeAll(): void {
    const w = this.#wake;
    if (w.length === 0) return;
    this.#wake = [];
    for (const r of w) r();
  }
}
