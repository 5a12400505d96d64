// Turns one configured cluster's endpoints into snapshot entries, as Pixiu's AddCluster does: generated ids for empty
// ones, `-2`/`-3` suffixes for duplicates (WARN), default names; health carried over from the previous generation.
import type { Logger } from 'pino';
import type { ClusterSnapshot } from './cluster-snapshot.js';
import { authorityOf, contentFromSpec, makeView, sameAddress, type EndpointEntry } from './endpoint-entry.js';
import { defaultEndpointName, generateEndpointId, uniqueEndpointId } from './endpoint-id.js';
import type { ClusterSpec } from './types.js';

export const STATIC_SOURCE = 'static';

/**
 * Health carries over when the id and the address are unchanged (Pixiu), and the configured seed (`unhealthy`) was
 * not edited: an edit of the seed is an operator's explicit decision and wins.
 */
function carriedHealth(previous: ClusterSnapshot | undefined, fresh: EndpointEntry): boolean {
  const old = previous?.entries[previous.indexOf(fresh.view.id)];
  if (old === undefined || !sameAddress(old.view, fresh.view) || old.seedHealthy !== fresh.seedHealthy) {
    return fresh.seedHealthy;
  }
  return old.view.healthy;
}

export function assembleStaticEntries(
  spec: ClusterSpec,
  clusterName: string,
  previous: ClusterSnapshot | undefined,
  log: Logger,
): EndpointEntry[] {
  const taken = new Set<string>();
  return spec.endpoints.map((ep, i) => {
    const content = contentFromSpec(ep);
    const wanted =
      ep.id ||
      generateEndpointId(clusterName, {
        authority: authorityOf(content),
        provider: content.llm_meta?.provider ?? '',
        apiKey: content.llm_meta?.api_key ?? '',
      });
    const id = uniqueEndpointId(wanted, (c) => taken.has(c));
    if (id !== wanted) {
      log.warn({ cluster: clusterName, endpoint: id }, `duplicate endpoint ID ${wanted} in cluster ${clusterName}, assigned endpoint ID ${id}`);
    }
    taken.add(id);
    const seedHealthy = !ep.unhealthy;
    const name = ep.name || defaultEndpointName(i, content.llm_meta?.provider);
    const fresh: EndpointEntry = {
      content,
      seedHealthy,
      view: makeView(content, { id, name, healthy: seedHealthy, source: STATIC_SOURCE }),
    };
    const healthy = carriedHealth(previous, fresh);
    return healthy === seedHealthy
      ? fresh
      : { ...fresh, view: makeView(content, { id, name, healthy, source: STATIC_SOURCE }) };
  });
}
