// In-process coalescing: identical misses in one scope in flight at once make one upstream call. The first is the
// leader; the others wait (bounded) for its answer and are served from it. A leader whose answer is not a complete,
// successful one (an error, a cut stream, an aborted client) resolves its followers with nothing, and each of them
// then goes upstream itself: a failure is never fanned out.
import type { CacheRecord } from './record.js';

interface Flight {
  readonly done: Promise<CacheRecord | undefined>;
  resolve(r: CacheRecord | undefined): void;
  followers: number;
}

/** What a follower's wait ends with: the leader's answer, its release (undefined), or `timeout` (the leader is still out). */
export type Waited = CacheRecord | undefined | 'timeout';

export type Joined = { leader: true; finish(r: CacheRecord | undefined): void } | { leader: false; wait(ms: number): Promise<Waited> };

export class Coalescer {
  readonly #flights = new Map<string, Flight>();

  get inFlight(): number {
    return this.#flights.size;
  }

  join(key: string): Joined {
    const f = this.#flights.get(key);
    if (f !== undefined) {
      f.followers++;
      return { leader: false, wait: (ms) => waitFor(f.done, ms) };
    }
    let resolve!: (r: CacheRecord | undefined) => void;
    const done = new Promise<CacheRecord | undefined>((r) => (resolve = r));
    const flight: Flight = { done, resolve, followers: 0 };
    this.#flights.set(key, flight);
    let finished = false;
    return {
      leader: true,
      finish: (r) => {
        if (finished) return;
        finished = true;
        if (this.#flights.get(key) === flight) this.#flights.delete(key);
        flight.resolve(r);
      },
    };
  }
}

function waitFor(p: Promise<CacheRecord | undefined>, ms: number): Promise<Waited> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => {
    timer = setTimeout(() => r('timeout'), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
