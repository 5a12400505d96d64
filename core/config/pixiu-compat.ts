// Mistakes Pixiu tolerates silently (spec §8.5, ARCHITECTURE §10): each becomes a DGP_ERR_CONFIG_PIXIU_COMPAT
// warning carrying the exact fix (an error under strict). Runs on the expanded file before defaults are applied,
// so "absent" still means absent.
import { suggest } from './did-you-mean.js';
import { clustersOf, hcmsOf, items, listenersOf, rec, sub, type At } from './config-walk.js';
import { child, warning, type Finding } from './problems.js';
import { defaultHostOf } from './provider-hosts.js';
import { IGNORED_TOP_LEVEL, LB_POLICIES } from './schema/index.js';

const CODE = 'DGP_ERR_CONFIG_PIXIU_COMPAT';
const TOKENIZER = 'dgp.filter.llm.tokenizer';
const PROXY = 'dgp.filter.llm.proxy';

/**
 * Filter orders Pixiu's own samples use (llm_pixiu_conf.yaml: the tokenizer after the proxy) and that keep working
 * here, since the proxy continues the chain once it has the answer: terminal kind → kinds tolerated after it. They are
 * reported by filterOrder below as a compat warning (an error under --strict), not as DGP_ERR_CONFIG_FILTER_ORDER.
 */
export const PIXIU_TOLERATED_AFTER_TERMINAL: Readonly<Record<string, readonly string[]>> = Object.freeze({ [PROXY]: Object.freeze([TOKENIZER]) });

export function pixiuCompatChecks(raw: unknown): Finding[] {
  const out: Finding[] = [];
  const root = rec(raw);
  for (const key of IGNORED_TOP_LEVEL) {
    if (root?.[key] !== undefined) out.push(warning(CODE, child('', key), `${key} is a Pixiu setting that dgp-gateway ignores`, `remove ${key} (it has no effect here)`));
  }
  if (rec(rec(root?.static_resources)?.pprofConf)) out.push(warning(CODE, '/static_resources/pprofConf', 'pprofConf is a Pixiu setting that dgp-gateway ignores', 'remove pprofConf (use node --inspect or --cpu-prof instead)'));
  for (const c of clustersOf(raw)) {
    out.push(...lbPolicy(c));
    items(c, 'endpoints').forEach((ep) => out.push(...endpoint(ep)));
  }
  for (const l of listenersOf(raw)) for (const hcm of hcmsOf(l)) out.push(...filterOrder(hcm));
  return out;
}

function lbPolicy(c: At): Finding[] {
  const lb = c.v.lb_policy;
  if (typeof lb !== 'string' || lb === '' || (LB_POLICIES as readonly string[]).includes(lb)) return [];
  const s = suggest(lb, LB_POLICIES);
  // Pixiu's own policies only: the fix keeps the file a valid Pixiu config.
  const others = LB_POLICIES.filter((p) => p !== 'Rand' && p !== 'RoundRobin' && p !== 'LeastRequest' && p !== 'LatencyEwma' && p !== 'CostAware').join(', ');
  const hint = s
    ? `Pixiu silently uses Rand; write lb_policy: ${s} (did you mean "${s}"?) or lb_policy: Rand to keep this behaviour`
    : `Pixiu silently uses Rand; write lb_policy: RoundRobin (or ${others}) or lb_policy: Rand to keep this behaviour`;
  return [warning(CODE, child(c.ptr, 'lb_policy'), `unknown lb_policy "${lb}"; Rand is used`, hint)];
}

function endpoint(ep: At): Finding[] {
  const out: Finding[] = [];
  for (const key of ['ID', 'id']) {
    const id = ep.v[key];
    if (typeof id === 'number') out.push(warning(CODE, child(ep.ptr, key), `endpoint ${key} ${id} is a number; it is used as the string "${id}"`, `write ${key}: "${id}"`));
  }
  const sock = rec(ep.v.socket_address);
  const named = defaultHostOf(ep.v);
  if (named) {
    const h = named.host;
    out.push(warning(CODE, ep.ptr, `endpoint has no socket_address; requests go to the default host of llm_meta.provider "${named.provider}", ${h.scheme}://${h.host}:${h.port} (Pixiu would send them to 0.0.0.0:8881)`, 'keep it for the provider\'s own host, or add socket_address: { domains: [<host>] } for another'));
  } else if (!sock || (sock.address === undefined && sock.port === undefined && !(Array.isArray(sock.domains) && sock.domains.length > 0))) {
    out.push(warning(CODE, sock ? child(ep.ptr, 'socket_address') : ep.ptr, 'endpoint has no socket_address; requests go to 0.0.0.0:8881 (Pixiu no longer maps llm_meta.provider to a host)', 'add socket_address: { domains: [api.example.com] } or socket_address: { address: <host>, port: <port> }'));
  }
  const retry = sub(sub(ep, 'llm_meta'), 'retry_policy');
  if (retry) {
    for (const key of Object.keys(retry.v)) {
      if (key === 'name' || key === 'config') continue;
      out.push(warning(CODE, child(retry.ptr, key), `retry_policy.${key} is outside retry_policy.config and has no effect`, `Pixiu ignores it; move it to retry_policy.config.${key}`));
    }
  }
  return out;
}

function filterOrder(hcm: At): Finding[] {
  const filters = items(hcm, 'http_filters');
  const proxy = filters.findIndex((f) => f.v.name === PROXY);
  const tokenizer = filters.findIndex((f) => f.v.name === TOKENIZER);
  if (proxy < 0 || tokenizer < proxy) return [];
  return [
    warning(CODE, child(filters[tokenizer]!.ptr, 'name'), `${TOKENIZER} comes after ${PROXY}, so its duration metrics start after the upstream call`, `move ${TOKENIZER} before ${PROXY} in http_filters`),
  ];
}
