// The semantic step of a lookup, after an exact miss: the partition (scope, generation, everything of the request
// but the last user turn), the question's vector, the threshold (a client may raise it with x-dgp-cache-threshold,
// never lower it), and the best guarded match's record.
import type { RequestContext } from '../../../../core/index.js';
import type { Entries } from '../entries.js';
import { hashOf } from '../key.js';
import type { CacheRecord } from '../record.js';
import type { SemanticConfig } from '../schema.js';
import type { CacheState } from '../state.js';
import type { Embed } from './embedder.js';
import type { SemanticIndex } from './index.js';
import type { SharedVectors } from './shared.js';

export async function semanticLookup(
  index: SemanticIndex,
  embed: Embed,
  cfg: SemanticConfig,
  entries: Entries,
  ctx: RequestContext,
  st: CacheState,
  scope: string,
  gen: number | undefined,
  maxAge: number | undefined,
  shared: SharedVectors | undefined,
): Promise<CacheRecord | undefined> {
  const canon = st.canon;
  if (!cfg.enabled || canon === undefined || canon.lastUserText === undefined || canon.hasTools) return undefined;
  st.partition = `${scope}|${gen ?? 0}|${hashOf(canon.partition)}`;
  const text = canon.lastUserText;
  st.vector = await entries.try('embed', () => embed(text));
  if (st.vector === undefined) return undefined;
  await shared?.pull(st.partition, index);
  const asked = Number(ctx.request.headers['x-dgp-cache-threshold']);
  const threshold = Number.isFinite(asked) && asked > cfg.threshold && asked <= 1 ? asked : cfg.threshold;
  const match = index.search(st.partition, st.vector, canon.lastUserText, threshold, cfg.guards);
  if (match === undefined) return undefined;
  const rec = await entries.read(match.entryKey, maxAge);
  if (rec === undefined) return undefined;
  st.similarity = match.similarity;
  index.remember(ctx.id, st.partition, match.entryKey);
  return rec;
}
