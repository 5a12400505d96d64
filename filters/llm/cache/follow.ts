// What an in-process follower of an identical miss waits for: a unary follower the leader's complete answer; a
// streaming follower the leader's first response item (then it attaches to the answer as it arrives), or — when the
// leader's answer ended before it could attach — that answer or its release.
import type { Joined, Waited } from './coalesce.js';
import type { LiveAnswer, LiveEnd } from './live.js';
import type { LlmUsage, ResponseItem } from '../../../core/llm/index.js';

type Follower = Extract<Joined, { leader: false }>;

export async function follow(f: Follower, stream: boolean, waitMs: number): Promise<Waited | LiveAnswer> {
  if (!stream) return f.wait(waitMs);
  if ((await f.started(waitMs)) === 'timeout') return 'timeout';
  const live = f.live;
  if (live.items.length > 0 && live.ended === undefined) return live;
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
