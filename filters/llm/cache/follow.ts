// Coalescing from a request's side: lead an identical miss, or follow it — in this process first (a unary follower
// waits for the leader's complete answer; a streaming follower for its first response item, then attaches to the
// answer as it arrives), then across instances through a shared store (the answer once it is stored).
import type { RequestContext } from '../../../core/index.js';
import type { LlmUsage, ResponseItem } from '../../../core/llm/index.js';
import type { Coalescer, Joined, Waited } from './coalesce.js';
import type { Entries } from './entries.js';
import type { LiveAnswer, LiveEnd } from './live.js';
import type { CacheMetrics } from './metrics.js';
import type { CacheRecord } from './record.js';
import { awaitRemoteLeader } from './remote.js';
import type { CacheState } from './state.js';

export interface CoalesceDeps {
  coalescer: Coalescer;
  entries: Entries;
  metrics: CacheMetrics;
  durations: { coalesceWaitMs: number };
}

/**
 * Waits for an identical miss in flight and returns its answer (a record, or the live answer a streaming follower
 * attaches to); undefined when this request leads (st.leader, st.locked) or must go upstream alone.
 */
export async function coalesce(d: CoalesceDeps, ctx: RequestContext, st: CacheState, scope: string, stream: boolean): Promise<CacheRecord | LiveAnswer | undefined> {
  const key = st.entryKey!;
  const waitMs = d.durations.coalesceWaitMs;
  // A follower whose leader failed joins again: the released followers elect a new leader among themselves.
  for (let round = 0; round < 3 && !ctx.aborted; round++) {
    const joined = d.coalescer.join(`${scope}\n${st.hash}`);
    if (joined.leader) {
      st.leader = joined;
      break;
    }
    d.metrics.waiting.inc();
    const got = await follow(joined, stream, waitMs).finally(() => d.metrics.waiting.dec());
    // A leader still out after coalesce_wait: this request stops waiting and goes upstream on its own.
    if (got === 'timeout') return undefined;
    if (got !== undefined && !ctx.aborted) return got;
  }
  if (st.leader === undefined) return undefined;
  const remote = await awaitRemoteLeader(d.entries, key, waitMs, ctx, d.metrics);
  st.locked = remote === 'locked';
  if (remote === undefined || remote === 'locked') return undefined;
  // Another instance answered: this process's followers of this request get the same answer (as a record).
  st.leader.live.end({ ok: false });
  st.leader.finish(remote);
  st.leader = undefined;
  return remote;
}

async function follow(f: Extract<Joined, { leader: false }>, stream: boolean, waitMs: number): Promise<Waited | LiveAnswer> {
  if (!stream) return f.wait(waitMs);
  if ((await f.started(waitMs)) === 'timeout') return 'timeout';
  const live = f.live;
  // Attachable while it runs, and once complete (replayed whole even when it was too large to store).
  if (live.items.length > 0 && live.ended?.ok !== false) return live;
  // It failed before this follower looked: released.
  return f.done;
}

/** How the leader's answer ended for its live followers: complete when every choice finished and no error came. */
export function liveEnd(items: readonly ResponseItem[], complete: boolean, usage: LlmUsage | null, savedNanos: number | undefined): LiveEnd {
  if (!complete) return { ok: false };
  const open = new Set<number>();
  for (const item of items) {
    if (item.type === 'error') return { ok: false };
    if (item.type === 'finish') open.delete(item.choice);
    else open.add(item.choice);
  }
  return open.size === 0 && items.length > 0 ? { ok: true, usage, savedNanos } : { ok: false };
}
