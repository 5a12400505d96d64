// One endpoint inside a cluster snapshot: its frozen public view plus the normalised content that Pixiu compares for
// SetEndpoint idempotence (address incl. domains, resolver, certs_dir, meta, llm_meta; never the name).
import { isIPv6 } from 'node:net';
import type { EndpointInput, EndpointView, LlmMeta } from '../cluster-api.js';
import { frozenClone, deepEqual } from './json-value.js';
import type { EndpointSpec } from './types.js';

export interface EndpointContent {
  readonly address: string;
  readonly port: number;
  readonly domains: readonly string[];
  readonly resolver_name: string;
  readonly certs_dir: string;
  readonly meta: Readonly<Record<string, string>>;
  readonly llm_meta: Readonly<LlmMeta> | undefined;
}

export interface EndpointEntry {
  readonly view: EndpointView;
  readonly content: EndpointContent;
  /** The health seed as configured (`!unhealthy`); a changed seed wins over carried-over health on reload. */
  readonly seedHealthy: boolean;
}

/** Pixiu's socket_address defaults (pkg/model/base.go default tags). */
export const DEFAULT_ADDRESS = '0.0.0.0';
export const DEFAULT_PORT = 8881;

/** Defaults Pixiu's creasty/defaults gives a dynamically registered endpoint's llm_meta (spec §3.5). */
function llmMetaWithDefaults(partial: Partial<LlmMeta>): LlmMeta {
  return {
    ...partial,
    provider: partial.provider ?? '',
    api_key: partial.api_key ?? '',
    fallback: partial.fallback ?? false,
    health_check_interval: partial.health_check_interval ?? 5000,
    retry_policy: {
      name: partial.retry_policy?.name ?? 'NoRetry',
      config: partial.retry_policy?.config ?? {},
    },
  };
}

export function contentFromSpec(spec: EndpointSpec): EndpointContent {
  const sa = spec.socket_address;
  return frozenClone({
    address: sa.address,
    port: sa.port,
    domains: [...sa.domains],
    resolver_name: sa.resolver_name ?? '',
    certs_dir: sa.certs_dir ?? '',
    meta: { ...spec.meta },
    llm_meta: spec.llm_meta,
  });
}

/** A registry adapter's partial input, with Pixiu's defaults applied (nil metadata counts as empty). */
export function contentFromInput(input: EndpointInput): EndpointContent {
  const sa = input.socket_address ?? {};
  const extra = sa as { resolver_name?: string; certs_dir?: string };
  return frozenClone({
    address: sa.address || DEFAULT_ADDRESS,
    port: sa.port || DEFAULT_PORT,
    domains: [...(sa.domains ?? [])],
    resolver_name: extra.resolver_name ?? '',
    certs_dir: extra.certs_dir ?? '',
    meta: { ...(input.meta ?? {}) },
    llm_meta: input.llm_meta === undefined ? undefined : llmMetaWithDefaults(input.llm_meta),
  });
}

/** Pixiu GetHost: `address:port`, the consistent-hash identity. IPv6 literals are bracketed (Pixiu is not). */
export function hostOf(c: Pick<EndpointContent, 'address' | 'port'>): string {
  return isIPv6(c.address) ? `[${c.address}]:${c.port}` : `${c.address}:${c.port}`;
}

/** Pixiu GetAddress: domains[0] when set, else `address:port`; what the proxy puts in the URL. */
export function authorityOf(c: Pick<EndpointContent, 'address' | 'port' | 'domains'>): string {
  return c.domains.length > 0 && c.domains[0] ? c.domains[0] : hostOf(c);
}

export function makeView(
  content: EndpointContent,
  identity: { id: string; name: string; healthy: boolean; source: string },
): EndpointView {
  return Object.freeze({
    id: identity.id,
    name: identity.name,
    address: content.address,
    port: content.port,
    domains: content.domains,
    host: hostOf(content),
    authority: authorityOf(content),
    meta: content.meta,
    llmMeta: content.llm_meta,
    healthy: identity.healthy,
    source: identity.source,
  });
}

export function withHealth(entry: EndpointEntry, healthy: boolean): EndpointEntry {
  if (entry.view.healthy === healthy) return entry;
  return { ...entry, view: Object.freeze({ ...entry.view, healthy }) };
}

/** Pixiu's SetEndpoint equality: everything but the name (and the runtime health). */
export function sameContent(a: EndpointContent, b: EndpointContent): boolean {
  return deepEqual(a, b);
}

/** Health carries over only while both the hash identity and the URL authority stay the same. */
export function sameAddress(a: EndpointView, b: EndpointView): boolean {
  return a.host === b.host && a.authority === b.authority;
}
