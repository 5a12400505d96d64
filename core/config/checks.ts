// Semantic checks the schema cannot express: durations, one HCM per listener, unique names and addresses, route →
// cluster references, bare-host domains, regexes, TLS files. Every check runs; all problems are reported at once.
import { parseDuration } from './duration.js';
import { didYouMean } from './did-you-mean.js';
import { adaptersOf, clusterNames, rec, clustersOf, collectDurations, hcmsOf, items, listenerName, listenersOf, routesOf, str, sub, type At } from './config-walk.js';
import { child, error, warning, type Finding } from './problems.js';
import { bootstrapJsonSchema, HCM_KIND, RETRY_POLICIES } from './schema/index.js';
import { isLoopbackAddress } from '../admin/host-check.js';

const WILDCARD = new Set(['0.0.0.0', '::', '']);

/** `value` has the defaults applied; `raw` is the file as written (to tell a written field from a default). */
export function semanticChecks(value: unknown, raw: unknown = value): Finding[] {
  return [...checkDurations(value), ...checkListeners(value), ...checkClusters(value), ...checkRoutes(value), ...checkAdmin(value, raw), ...checkAdapterIds(value)];
}

/** Filters name stores by adapter id, so two adapters must never share one. */
function checkAdapterIds(value: unknown): Finding[] {
  const out: Finding[] = [];
  const seen = new Map<string, string>();
  for (const a of adaptersOf(value)) {
    const id = typeof a.v.id === 'number' ? String(a.v.id) : str(a.v.id);
    if (!id) continue;
    const other = seen.get(id);
    if (other !== undefined) out.push(error('DGP_ERR_CONFIG_DUPLICATE', child(a.ptr, 'id'), `duplicate adapter id "${id}" (also at ${other})`, 'give every adapter its own id'));
    else seen.set(id, a.ptr);
  }
  return out;
}

function checkDurations(value: unknown): Finding[] {
  const out: Finding[] = [];
  for (const d of collectDurations(bootstrapJsonSchema, value)) {
    if (typeof d.v !== 'string' && typeof d.v !== 'number') continue;
    try {
      parseDuration(d.v);
    } catch (err) {
      const e = err as { message: string; hint?: string };
      out.push(error('DGP_ERR_CONFIG_DURATION', d.ptr, `${JSON.stringify(d.v)} is not a duration`, e.hint));
    }
  }
  return out;
}

function checkListeners(value: unknown): Finding[] {
  const out: Finding[] = [];
  const names = new Map<string, string>();
  const bound: Array<{ address: string; port: number; ptr: string }> = [];
  listenersOf(value).forEach((l, i) => {
    const name = listenerName(l, i);
    const filters = items(sub(l, 'filter_chains'), 'filters');
    const hcms = filters.filter((f) => f.v.name === HCM_KIND);
    if (Array.isArray(sub(l, 'filter_chains')?.v.filters) && filters.length === 0) {
      out.push(error('DGP_ERR_CONFIG_SCHEMA', child(l.ptr, 'filter_chains'), `listener "${name}" has no ${HCM_KIND}`, `add filter_chains: { filters: [ { name: ${HCM_KIND}, config: { route_config: ..., http_filters: ... } } ] }`));
    }
    for (const extra of hcms.slice(1)) out.push(error('DGP_ERR_CONFIG_SCHEMA', extra.ptr, `listener "${name}" has more than one ${HCM_KIND}`, 'merge their routes and http_filters into one'));
    const first = names.get(name);
    if (first !== undefined) out.push(error('DGP_ERR_CONFIG_DUPLICATE', child(l.ptr, 'name'), `duplicate listener name "${name}" (also at ${first})`, 'give every listener its own name'));
    else names.set(name, l.ptr);
    const sock = sub(sub(l, 'address'), 'socket_address');
    const port = sock?.v.port;
    if (sock && typeof port === 'number' && port !== 0) {
      const address = str(sock.v.address) ?? '0.0.0.0';
      // A wildcard address takes the port on every interface, so it clashes with any address on that port.
      const other = bound.find((b) => b.port === port && (b.address === address || WILDCARD.has(b.address) || WILDCARD.has(address)));
      if (other) out.push(error('DGP_ERR_CONFIG_DUPLICATE', child(sock.ptr, 'port'), `listener "${name}" binds ${address}:${port}, which the listener at ${other.ptr} (${other.address}:${port}) already takes`, 'use another port'));
      else bound.push({ address, port, ptr: l.ptr });
    }
    const cfg = sub(l, 'config');
    if (l.v.protocol_type === 'HTTPS' && (!str(cfg?.v.cert_file) || !str(cfg?.v.key_file))) {
      out.push(error('DGP_ERR_CONFIG_SCHEMA', child(l.ptr, 'protocol_type'), `listener "${name}" is HTTPS but config.cert_file or config.key_file is empty`, 'set both to PEM files (relative to the config directory), or use protocol_type: HTTP'));
    }
  });
  return out;
}

/** Property 41: an admin listener reachable from other machines needs a token; a set token must not be guessable. */
const MIN_ADMIN_TOKEN = 16;

function checkAdmin(value: unknown, raw: unknown): Finding[] {
  const root = rec(value);
  const admin = sub(root ? { v: root, ptr: '' } : undefined, 'admin');
  if (!admin || admin.v.enabled === false) return [];
  const address = str(admin.v.address) ?? '127.0.0.1';
  const token = typeof admin.v.token === 'string' ? admin.v.token : '';
  if (token !== '' && token.length < MIN_ADMIN_TOKEN) {
    return [error('DGP_ERR_ADMIN_TOKEN_REQUIRED', child(admin.ptr, 'token'), `admin.token is ${token.length} characters long; at least ${MIN_ADMIN_TOKEN} are required`, 'use a random string, e.g. `openssl rand -hex 24`, passed as token: ${DGP_ADMIN_TOKEN}')];
  }
  if (token === '' && !isLoopbackAddress(address)) {
    return [error('DGP_ERR_ADMIN_TOKEN_REQUIRED', child(admin.ptr, 'address'), `the admin listener binds ${address}, reachable from other machines, but admin.token is not set`, 'set admin.token: ${DGP_ADMIN_TOKEN} (16+ random characters), or bind address: 127.0.0.1')];
  }
  return checkAdminPort(value, admin, address, typeof rec(rec(raw)?.admin)?.port === 'number');
}

/** The admin listener binds after the traffic listeners: sharing a port with one fails the start with EADDRINUSE. */
function checkAdminPort(value: unknown, admin: At, address: string, written: boolean): Finding[] {
  const port = typeof admin.v.port === 'number' ? admin.v.port : ADMIN_DEFAULT_PORT;
  if (port === 0) return [];
  const taken = boundPorts(value).find((b) => b.port === port && (b.address === address || WILDCARD.has(b.address) || WILDCARD.has(address)));
  if (!taken) return [];
  if (!written) {
    return [error('DGP_ERR_CONFIG_DUPLICATE', taken.ptr, `listener "${taken.name}" binds ${taken.address}:${port}, the admin listener's default port (${address}:${port}); the gateway would fail to start`, `use another port for the listener, or set admin: { port: <another port> }`)];
  }
  return [error('DGP_ERR_CONFIG_DUPLICATE', child(admin.ptr, 'port'), `the admin listener binds ${address}:${port}, which listener "${taken.name}" (${taken.address}:${port}) already takes; the gateway would fail to start`, `give admin another port, e.g. port: ${port === ADMIN_DEFAULT_PORT ? port + 1 : ADMIN_DEFAULT_PORT}`)];
}

const ADMIN_DEFAULT_PORT = 8889;

function boundPorts(value: unknown): Array<{ name: string; address: string; port: number; ptr: string }> {
  const out: Array<{ name: string; address: string; port: number; ptr: string }> = [];
  listenersOf(value).forEach((l, i) => {
    const sock = sub(sub(l, 'address'), 'socket_address');
    const port = sock?.v.port;
    if (typeof port === 'number' && port !== 0) out.push({ name: listenerName(l, i), address: str(sock!.v.address) ?? '0.0.0.0', port, ptr: child(sock!.ptr, 'port') });
  });
  return out;
}

function checkClusters(value: unknown): Finding[] {
  const out: Finding[] = [];
  const names = clusterNames(value);
  const seen = new Map<string, string>();
  clustersOf(value).forEach((c, i) => {
    const name = names[i]!;
    const other = seen.get(name);
    if (other !== undefined) out.push(error('DGP_ERR_CONFIG_DUPLICATE', child(c.ptr, 'name'), `duplicate cluster name "${name}" (also at ${other})`, 'rename one cluster or merge their endpoints'));
    else seen.set(name, c.ptr);
    const consistent = sub(c, 'consistent');
    const hashOn = consistent?.v.hash_on;
    if ((hashOn === 'header' || hashOn === 'body') && !str(consistent?.v.hash_key)) {
      out.push(error('DGP_ERR_CONFIG_SCHEMA', child(consistent!.ptr, 'hash_key'), `hash_on: ${hashOn} needs a hash_key`, hashOn === 'header' ? 'name the header, e.g. hash_key: x-session-id' : 'name a top-level body field, e.g. hash_key: user'));
    }
    for (const ep of items(c, 'endpoints')) out.push(...checkEndpoint(ep));
  });
  return out;
}

function checkEndpoint(ep: At): Finding[] {
  const out: Finding[] = [];
  for (const [a, b] of [['ID', 'id'], ['UnHealthy', 'unhealthy']] as const) {
    if (ep.v[a] !== undefined && ep.v[b] !== undefined) out.push(error('DGP_ERR_CONFIG_SCHEMA', child(ep.ptr, a), `both ${a} and ${b} are set`, `keep one of them (Pixiu treats them as the same key)`));
  }
  const sock = sub(ep, 'socket_address');
  const address = str(sock?.v.address);
  if (address !== undefined && bareHost(address) !== address) {
    const host = bareHost(address).replace(/:\d+$/, '');
    out.push(error('DGP_ERR_CONFIG_DOMAIN', child(sock!.ptr, 'address'), `socket_address.address "${address}" is a URL, not a host name or IP address; every request to this endpoint would fail`, `write address: ${host || 'a bare host'} with port: <port> (the scheme belongs in the proxy's scheme setting), or domains: [${host || 'host'}]`));
  }
  const retry = sub(sub(ep, 'llm_meta'), 'retry_policy');
  const policy = str(retry?.v.name);
  if (policy && !RETRY_POLICIES.some((p) => p.toLowerCase() === policy.toLowerCase())) {
    out.push(error('DGP_ERR_CONFIG_SCHEMA', child(retry!.ptr, 'name'), `unknown retry policy "${policy}": every request to this endpoint would fail`, didYouMean(policy, RETRY_POLICIES) ?? `use one of ${RETRY_POLICIES.join(', ')}`));
  }
  const domains = sock?.v.domains;
  if (Array.isArray(domains)) {
    domains.forEach((d, i) => {
      if (typeof d !== 'string') return;
      const host = bareHost(d);
      if (host !== d) out.push(error('DGP_ERR_CONFIG_DOMAIN', child(child(sock!.ptr, 'domains'), i), `domains entry "${d}" is a URL, not a host name`, `use ${host || 'a bare host name'}, not ${d}`));
    });
  }
  return out;
}

/** The host[:port] of a domains entry; equal to the input when it already is one. */
export function bareHost(entry: string): string {
  let s = entry.trim();
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(s);
  if (scheme) s = s.slice(scheme[0].length);
  s = s.replace(/^[^@/]*@/, '');
  s = s.split(/[/?#]/)[0]!;
  return s;
}

function checkRoutes(value: unknown): Finding[] {
  const out: Finding[] = [];
  const clusters = clusterNames(value);
  const adapters = adaptersOf(value).filter((a) => a.v.enabled !== false && a.v.enabled !== 'false');
  for (const l of listenersOf(value)) {
    for (const hcm of hcmsOf(l)) {
      for (const r of routesOf(hcm)) {
        const match = sub(r, 'match');
        const regex = str(match?.v.regex);
        if (regex) out.push(...checkRegex(regex, child(match!.ptr, 'regex')));
        for (const h of items(match, 'headers')) {
          const first = Array.isArray(h.v.values) ? h.v.values[0] : undefined;
          if (h.v.regex === true && typeof first === 'string') out.push(...checkRegex(first, child(child(h.ptr, 'values'), 0)));
        }
        const target = sub(r, 'route');
        const cluster = str(target?.v.cluster);
        if (cluster === undefined || clusters.includes(cluster)) continue;
        const ptr = child(target!.ptr, 'cluster');
        const hint = didYouMean(cluster, clusters) ?? `define it under static_resources.clusters (defined: ${clusters.join(', ') || 'none'})`;
        if (adapters.length > 0) {
          const from = adapters.map((a) => str(a.v.name)).join(', ');
          out.push(warning('DGP_ERR_CONFIG_REFERENCE', ptr, `route cluster "${cluster}" is not defined in this file; it must come from an adapter (${from})`, didYouMean(cluster, clusters) ?? `make sure the registry publishes endpoints for cluster "${cluster}", or define it under static_resources.clusters`));
        } else {
          out.push(error('DGP_ERR_CONFIG_REFERENCE', ptr, `route cluster "${cluster}" is not defined`, hint));
        }
      }
    }
  }
  return out;
}

function checkRegex(source: string, ptr: string): Finding[] {
  try {
    new RegExp(source, 'u');
    return [];
  } catch (err) {
    return [error('DGP_ERR_CONFIG_SCHEMA', ptr, `invalid regular expression: ${(err as Error).message}`, 'use JavaScript regular expression syntax')];
  }
}
