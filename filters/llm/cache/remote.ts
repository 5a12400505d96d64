// Coalescing across instances through a shared store: the local leader of a miss takes the entry's lock; when another
// instance holds it, this one polls for the entry that instance will store, until the lock is gone (that leader
// failed: this request goes upstream itself) or coalesce_wait has passed.
import type { RequestContext } from '../../../core/index.js';
import type { Entries } from './entries.js';
import type { CacheMetrics } from './metrics.js';
import type { CacheRecord } from './record.js';

/** How often a follower of another instance's leader looks for the entry. */
const POLL_MS = 25;

/** 'locked': this request leads across instances; a record: another instance's leader answered; undefined: go on alone. */
export async function awaitRemoteLeader(entries: Entries, key: string, waitMs: number, ctx: RequestContext, metrics: CacheMetrics): Promise<'locked' | CacheRecord | undefined> {
  const b = entries.backend;
  if (b.lock === undefined || b.locked === undefined) return undefined;
  const took = await entries.try('lock', () => b.lock!(key, waitMs));
  if (took === true) return 'locked';
  if (took === undefined) return undefined;
  const deadline = Date.now() + waitMs;
  metrics.waiting.inc();
  try {
    for (let i = 1; Date.now() < deadline && !ctx.aborted; i++) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      const rec = await entries.read(key, undefined);
      if (rec !== undefined) return rec;
      // The leader unlocks after writing: once the lock is gone, one more read decides.
      if (i % 4 === 0 && (await entries.try('lock', () => b.locked!(key))) !== true) return entries.read(key, undefined);
    }
    return undefined;
  } finally {
    metrics.waiting.dec();
  }
}
