// The waiting room of one concurrency gate: higher priority first, first come first served within a priority, any
// waiter removable in O(1) (its client went away, its wait ran out). One bucket (a doubly linked list) per priority
// present, the buckets in an array sorted from highest to lowest: a handful of priorities in practice.

/** How a wait ended for the waiter: it got a slot, its max_wait passed, or a higher-priority arrival took its place. */
export type WaitOutcome = 'admitted' | 'timeout' | 'displaced';

export class Waiter {
  prev: Waiter | undefined = undefined;
  next: Waiter | undefined = undefined;
  bucket: Bucket | undefined = undefined;
  timer: NodeJS.Timeout | undefined = undefined;

  constructor(
    readonly priority: number,
    /** performance.now() when it joined the queue. */
    readonly since: number,
    /** Called once, synchronously, when the gate decides; never after the waiter was removed with `remove`. */
    readonly settle: (outcome: WaitOutcome) => void,
  ) {}
}

interface Bucket {
  readonly priority: number;
  head: Waiter | undefined;
  tail: Waiter | undefined;
}

export class WaitQueue {
  size = 0;
  /** Non-empty buckets, highest priority first. */
  private readonly levels: Bucket[] = [];

  push(w: Waiter): void {
    const b = this.bucketFor(w.priority);
    w.bucket = b;
    w.prev = b.tail;
    w.next = undefined;
    if (b.tail) b.tail.next = w;
    else b.head = w;
    b.tail = w;
    this.size++;
  }

  /** The next waiter to serve (highest priority, oldest), taken out of the queue. */
  shift(): Waiter | undefined {
    const w = this.levels[0]?.head;
    if (w !== undefined) this.remove(w);
    return w;
  }

  /** The waiter to give up first when room is needed: the newest of the lowest priority. */
  lowest(): Waiter | undefined {
    return this.levels[this.levels.length - 1]?.tail;
  }

  /** Takes `w` out; false when it is not queued (already served, timed out or removed). */
  remove(w: Waiter): boolean {
    const b = w.bucket;
    if (b === undefined) return false;
    if (w.prev) w.prev.next = w.next;
    else b.head = w.next;
    if (w.next) w.next.prev = w.prev;
    else b.tail = w.prev;
    w.prev = w.next = w.bucket = undefined;
    this.size--;
    if (b.head === undefined) this.levels.splice(this.levels.indexOf(b), 1);
    return true;
  }

  private bucketFor(priority: number): Bucket {
    const levels = this.levels;
    let i = 0;
    while (i < levels.length && levels[i]!.priority > priority) i++;
    const found = levels[i];
    if (found !== undefined && found.priority === priority) return found;
    const b: Bucket = { priority, head: undefined, tail: undefined };
    levels.splice(i, 0, b);
    return b;
  }
}
