// In-process coalescing: identical misses in one scope in flight at once make one upstream call. The first is the
// leader; the others follow: a unary follower waits (bounded) for the leader's complete answer; a streaming follower
// attaches to the leader's answer as it arrives (live.ts). A leader whose answer fails before a follower received
// anything (an error, a cut stream, an aborted client) resolves its followers with nothing, and each of them then goes
// upstream itself: a failure is never fanned out.
import { LiveAnswer } from './live.js';
import type { CacheRecord } from './record.js';

interface Flight {
  readonly done: Promise<CacheRecord | undefined>;
  resolve(r: CacheRecord | undefined): void;
  readonly live: LiveAnswer;
}

/** What a follower's wait ends with: the leader's answer, its release (undefined), or `timeout` (the leader is still out). */
export type Waited = CacheRecord | undefined | 'timeout';

export type Joined =
  | { leader: true; live: LiveAnswer; finish(r: CacheRecord | undefined): void }
  | { leader: false; live: LiveAnswer; done: Promise<CacheRecord | undefined>; wait(ms: number): Promise<Waited>; started(ms: number): Promise<'started' | 'timeout'> };

export class Coalescer {
  readonly #flights = new Map<string, Flight>();

  get inFlight(): number {
    return this.#flights.size;
  }

  join(key: string): Joined {
    const f = this.#flights.get(key);
    if (f !== undefined) {
      return { leader: false, live: f.live, done: f.done, wait: (ms) => waitFor(f.done, ms), started: (ms) => waitFor(f.live.started().then(() => 'started' as const), ms) };
    }
    let resolve!: (r: CacheRecord | undefined) => void;
    const done = new Promise<CacheRecord | undefined>((r) => (resolve = r));
    const flight: Flight = { done, resolve, live: new LiveAnswer() };
    this.#flights.set(key, flight);
    let finished = false;
    return {
      leader: true,
      live: flight.live,
      finish: (r) => {
        if (finished) return;
        finished = true;
        if (this.#flights.get(key) === flight) this.#flights.delete(key);
        flight.resolve(r);
      },
    };
  }
}

function waitFor<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => {
    timer = setTimeout(() => r('timeout'), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
