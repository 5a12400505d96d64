// One concurrency cap and its bounded priority queue (the gateway's, or one cluster's): a free slot is taken at once,
// synchronously and without allocation; else the request waits until a slot frees, max_wait passes or a higher
// priority needs its place. Gates outlive generations: a reload changes the limits in place.
import type { GateConfig } from '../config/types.js';
import { WaitQueue, type Waiter } from './wait-queue.js';

export type GateScope = 'global' | 'cluster';

function onTimeout(gate: ConcurrencyGate, w: Waiter): void {
  w.timer = undefined;
  if (gate.queue.remove(w)) w.settle('timeout');
}

export class ConcurrencyGate {
  /** Requests holding a slot (also counted when there is no cap, so a cap added by a reload sees them). */
  inFlight = 0;
  /** 0 = no cap. */
  limit = 0;
  maxLength = 0;
  /** ms; 0 = no queue. */
  maxWait = 0;
  readonly queue = new WaitQueue();

  constructor(
    readonly scope: GateScope,
    /** The cluster name; '' for the gateway-wide gate. */
    readonly name: string,
  ) {}

  /**
   * New limits, effective at once. A higher (or removed) cap admits waiters now; a lower one cuts nothing: requests in
   * flight finish and new ones wait until the count is under it. Waiters keep their place and their own max_wait.
   */
  configure(c: GateConfig): void {
    this.limit = c.max_concurrency;
    this.maxLength = c.queue.max_length;
    this.maxWait = c.queue.max_wait;
    this.drain();
  }

  /** Takes a slot when one is free and nobody is waiting for one. */
  tryEnter(): boolean {
    if (this.limit === 0 || (this.inFlight < this.limit && this.queue.size === 0)) {
      this.inFlight++;
      return true;
    }
    return false;
  }

  /** Gives a slot back; the next waiter, if any, gets it. */
  leave(): void {
    this.inFlight--;
    if (this.queue.size > 0) this.drain();
  }

  /**
   * Queues `w` (its settle runs when the gate decides). False when there is no room: no queue configured, or the queue
   * is full of waiters of the same or higher priority. A full queue with a lower-priority waiter gives up the newest of
   * the lowest priority (settled 'displaced') to make room.
   */
  enqueue(w: Waiter): boolean {
    if (this.maxLength === 0 || this.maxWait === 0) return false;
    if (this.queue.size >= this.maxLength) {
      const low = this.queue.lowest();
      if (low === undefined || low.priority >= w.priority) return false;
      this.cancel(low);
      low.settle('displaced');
    }
    this.queue.push(w);
    w.timer = setTimeout(onTimeout, this.maxWait, this, w);
    w.timer.unref();
    return true;
  }

  /** Takes `w` out of the queue without settling it (its client went away). False when it was no longer queued. */
  cancel(w: Waiter): boolean {
    if (!this.queue.remove(w)) return false;
    if (w.timer !== undefined) clearTimeout(w.timer);
    w.timer = undefined;
    return true;
  }

  private drain(): void {
    while (this.queue.size > 0 && (this.limit === 0 || this.inFlight < this.limit)) {
      const w = this.queue.shift()!;
      if (w.timer !== undefined) clearTimeout(w.timer);
      w.timer = undefined;
      this.inFlight++;
      w.settle('admitted');
    }
  }
}
