// Endpoint identity exactly as Pixiu computes it (spec §3.6, golden vectors in Appendix A): generated ids for
// endpoints configured without one, and the `-2`, `-3`… suffixing of duplicates.
import { createHash } from 'node:crypto';

export const GENERATED_ID_PREFIX = 'pixiu-generated-endpoint-';

export interface EndpointIdMaterial {
  /** GetAddress(ep): domains[0] when set, else `address:port`. */
  readonly authority: string;
  readonly provider: string;
  readonly apiKey: string;
}

// Length-prefixed fields (byte length, not UTF-16 length) so that no two inputs share a material string.
function field(name: string, value: string): string {
  return `${name}:${Buffer.byteLength(value, 'utf8')}:${value}\n`;
}

/**
 * Pixiu GenerateEndpointID: 'pixiu-generated-endpoint-' + the first 8 bytes of sha256(material) in hex. The endpoint
 * name is deliberately not part of the material, so renaming keeps the id (and its cooldown entry).
 */
export function generateEndpointId(cluster: string, ep: EndpointIdMaterial): string {
  const material =
    field('cluster', cluster) +
    field('address', ep.authority) +
    field('llm_provider', ep.provider) +
    field('llm_api_key', ep.apiKey);
  return GENERATED_ID_PREFIX + createHash('sha256').update(material, 'utf8').digest('hex').slice(0, 16);
}

/** `id` when unused, else the first free `id-2`, `id-3`… (Pixiu's duplicate rule). */
export function uniqueEndpointId(id: string, isTaken: (candidate: string) => boolean): string {
  if (!isTaken(id)) return id;
  // Bounded by the number of taken ids: each loop step skips one of them.
  for (let n = 2; ; n++) {
    const candidate = `${id}-${n}`;
    if (!isTaken(candidate)) return candidate;
  }
}

/** `endpoint-<i+1>#<provider>` for LLM endpoints, else `endpoint-<i+1>` (Pixiu AssembleClusterEndpoints). */
export function defaultEndpointName(index: number, provider: string | undefined): string {
  return provider === undefined ? `endpoint-${index + 1}` : `endpoint-${index + 1}#${provider}`;
}
