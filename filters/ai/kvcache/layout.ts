// The LMCache /lookup answer. LMCache's controller declares layout_info as Dict[str, Tuple[str, int]], which FastAPI
// sends as `[location, count]`; Pixiu decodes only `{"0": location, "1": count}` (spec §8.3 item 22). Both are
// accepted, and so is the flat `{"event_id", "<instance>": [location, count]}` of LMCache's example README.
import { KvcacheBadResponse } from './errors.js';

export interface CacheLocation {
  instanceId: string;
  location: string;
  tokenCount: number;
}

export interface LookupResult {
  eventId: string;
  /** In the order the controller listed them. */
  layout: CacheLocation[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function locationOf(instanceId: string, v: unknown): CacheLocation | undefined {
  let loc: unknown;
  let count: unknown;
  if (Array.isArray(v)) [loc, count] = v;
  else if (isObject(v)) [loc, count] = [v['0'], v['1']];
  else return undefined;
  if (typeof count !== 'number' || !Number.isFinite(count)) return undefined;
  return { instanceId, location: typeof loc === 'string' ? loc : '', tokenCount: count };
}

export function parseLookup(value: unknown): LookupResult {
  if (!isObject(value)) throw KvcacheBadResponse('[kvcache] lmcache lookup: the answer is not a JSON object');
  const eventId = typeof value.event_id === 'string' ? value.event_id : '';
  const info = value.layout_info;
  let entries: Array<[string, unknown]>;
  if (isObject(info)) entries = Object.entries(info);
  else if (info === undefined || info === null) entries = Object.entries(value).filter(([k]) => k !== 'event_id' && k !== 'layout_info');
  else throw KvcacheBadResponse('[kvcache] lmcache lookup: layout_info is not an object');
  const layout = entries.flatMap(([id, v]) => locationOf(id, v) ?? []);
  if (layout.length === 0 && isObject(info) && entries.length > 0) {
    throw KvcacheBadResponse(`[kvcache] lmcache lookup: no layout_info entry is [location, count] or {"0": location, "1": count}: ${JSON.stringify(info).slice(0, 200)}`);
  }
  return { eventId, layout };
}

/**
 * The instance holding the most tokens, if any holds more than zero. Pixiu breaks ties by Go's random map order; we
 * take the first listed, so one answer always routes the same way.
 */
export function bestInstance(layout: readonly CacheLocation[]): CacheLocation | undefined {
  let best: CacheLocation | undefined;
  for (const l of layout) if (l.tokenCount > 0 && (best === undefined || l.tokenCount > best.tokenCount)) best = l;
  return best;
}
