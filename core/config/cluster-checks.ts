// Cluster checks: unique cluster names, consistent-hash keys, and each endpoint's address, domains and retry policy
// (a URL where a bare host belongs would make every request to the endpoint fail).
import { didYouMean } from './did-you-mean.js';
import { clusterNames, clustersOf, items, str, sub, type At } from './config-walk.js';
import { child, error, type Finding } from './problems.js';
import { RETRY_POLICIES } from './schema/index.js';

export function checkClusters(value: unknown): Finding[] {
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
