// Who shares an entry: the scope string an entry is filed under, from the principal dgp.filter.llm.keys published.
// A team scope for a key without a team is the key itself (teamless keys must not share one bucket), and a user scope
// for a key without a user likewise. Without a principal every scope is global; the filter warns once.
import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from '../../../core/llm/index.js';
import type { CacheConfig } from './schema.js';

/** `base` is what a purge names (the generation counter's scope); scope strings are `global`, `team:<id>`, `key:<id>` or `user:<id>`, plus `/ns:<namespace>` when a namespace was sent. */
export function scopeOf(
  scope: CacheConfig['scope'],
  principal: Readonly<Principal> | undefined,
  headers: IncomingHttpHeaders,
  namespaceHeader: string,
): { base: string; scope: string; fellBack: boolean } {
  let base: string;
  let fellBack = false;
  if (scope === 'global') base = 'global';
  else if (principal === undefined) {
    base = 'global';
    fellBack = true;
  } else if (scope === 'team' && principal.team !== null) base = scopeName('team', principal.team);
  else if (scope === 'user' && principal.user !== null) base = scopeName('user', principal.user);
  else base = scopeName('key', principal.key_id);
  const raw = namespaceHeader === '' ? undefined : headers[namespaceHeader];
  const ns = Array.isArray(raw) ? raw[0] : raw;
  return { base, scope: ns !== undefined && ns !== '' ? `${base}/ns:${ns.slice(0, 128)}` : base, fellBack };
}

/** `kind:<id>` with the id escaped, so no id can spell another scope's prefix (`a|1` is not `a` plus a separator). */
function scopeName(kind: 'team' | 'key' | 'user', id: string): string {
  return `${kind}:${encodeURIComponent(id)}`;
}

/**
 * A purge selector from the admin API (`global`, `team:<id>`, `key:<id>`, `user:<id>`) as the scope it names;
 * undefined for anything else, so a typo does not purge nothing silently.
 */
export function scopeOfSelector(s: string): string | undefined {
  if (s === 'global') return s;
  const m = /^(team|key|user):(.+)$/.exec(s);
  return m === null ? undefined : scopeName(m[1] as 'team' | 'key' | 'user', m[2]!);
}
