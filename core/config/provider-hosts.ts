// Default hosts of providers named in `llm_meta.provider` (APISIX ai-proxy's provider defaults): an endpoint that names
// one and has no socket_address goes to the provider's own host, scheme and port, so `/config`, `dgp routes` and the
// admin clusters view show where it really goes. `openai-compatible` names no host: it must be given one.
// Applied to the defaulted config before normalisation; `raw` tells a written socket_address from a default one.
import { error, type Finding } from './problems.js';
import { clustersOf, items, rec, str, sub, type At } from './config-walk.js';

export interface ProviderHost {
  scheme: 'http' | 'https';
  host: string;
  port: number;
  /** llm_meta.options the provider needs whatever its host (OpenRouter serves the OpenAI API under /api/v1). */
  options?: Record<string, unknown>;
}

/** undefined: the provider's host depends on something the config does not say (Bedrock without a region). */
type HostOf = (options: Record<string, unknown>) => ProviderHost | undefined;

const cloud = (host: string, options?: Record<string, unknown>): HostOf => () => ({ scheme: 'https', host, port: 443, ...(options ? { options } : {}) });

/** Vertex AI: `{location}-aiplatform.googleapis.com`, or `aiplatform.googleapis.com` for the global location. */
function vertexHost(options: Record<string, unknown>): ProviderHost {
  const location = typeof options.location === 'string' && options.location !== '' ? options.location : 'us-central1';
  return { scheme: 'https', host: location === 'global' ? 'aiplatform.googleapis.com' : `${location}-aiplatform.googleapis.com`, port: 443 };
}

/**
 * Amazon Bedrock: `bedrock-runtime.{region}.amazonaws.com`, the region from `llm_meta.options.region` (the config
 * alone decides where an endpoint goes); none: the endpoint must name its host.
 */
function bedrockHost(options: Record<string, unknown>): ProviderHost | undefined {
  const region = typeof options.region === 'string' && /^[a-z0-9-]+$/.test(options.region) ? options.region : undefined;
  return region === undefined ? undefined : { scheme: 'https', host: `bedrock-runtime.${region}.amazonaws.com`, port: 443 };
}

/** Keyed by the lower-case provider label. */
export const PROVIDER_HOSTS: Readonly<Record<string, HostOf>> = {
  deepseek: cloud('api.deepseek.com'),
  openrouter: cloud('openrouter.ai', { base_path: '/api/v1' }),
  aimlapi: cloud('api.aimlapi.com'),
  ollama: () => ({ scheme: 'http', host: '127.0.0.1', port: 11434 }),
  vllm: () => ({ scheme: 'http', host: '127.0.0.1', port: 8000 }),
  'vertex-ai': vertexHost,
  bedrock: bedrockHost,
};

/** Providers that have no host of their own: the endpoint must name one. */
export const HOST_REQUIRED: readonly string[] = ['openai-compatible'];

function written(sock: unknown): boolean {
  const s = rec(sock);
  return s !== undefined && (s.address !== undefined || s.port !== undefined || (Array.isArray(s.domains) && s.domains.length > 0));
}

/** The default host of an endpoint's provider, when it has no socket_address of its own. */
export function defaultHostOf(rawEndpoint: unknown): { provider: string; host: ProviderHost } | undefined {
  const ep = rec(rawEndpoint);
  const llm = rec(ep?.llm_meta);
  const provider = str(llm?.provider)?.trim().toLowerCase();
  const of = provider === undefined ? undefined : PROVIDER_HOSTS[provider];
  if (of === undefined || written(ep?.socket_address)) return undefined;
  const host = of(rec(llm?.options) ?? {});
  return host === undefined ? undefined : { provider: provider!, host };
}

/** Fills socket_address, llm_meta.scheme and the provider's options into `value`; errors for a missing required host. */
export function applyProviderHosts(value: unknown, raw: unknown): Finding[] {
  const out: Finding[] = [];
  const rawClusters = clustersOf(raw);
  clustersOf(value).forEach((c, ci) => {
    const rawEndpoints = items(rawClusters[ci], 'endpoints');
    items(c, 'endpoints').forEach((ep, ei) => fill(ep, rawEndpoints[ei], out));
  });
  return out;
}

function fill(ep: At, rawEp: At | undefined, out: Finding[]): void {
  const llm = sub(ep, 'llm_meta');
  const provider = str(llm?.v.provider)?.trim().toLowerCase();
  if (llm === undefined || provider === undefined) return;
  const rawLlm = rec(rawEp?.v.llm_meta);
  if (HOST_REQUIRED.includes(provider) && !written(rawEp?.v.socket_address)) {
    out.push(error('DGP_ERR_CONFIG_SCHEMA', rawEp?.ptr ?? ep.ptr, `llm_meta.provider "${provider}" has no default host; this endpoint has no socket_address`, 'add socket_address: { domains: [api.example.com], port: 443 } (or address: <host>, port: <port>) and llm_meta.scheme'));
    return;
  }
  const of = PROVIDER_HOSTS[provider];
  if (of === undefined) return;
  const host = of(rec(llm.v.options) ?? {});
  if (host === undefined) {
    if (!written(rawEp?.v.socket_address)) out.push(error('DGP_ERR_CONFIG_SCHEMA', rawEp?.ptr ?? ep.ptr, `llm_meta.provider "${provider}" has no region to take its default host from, and this endpoint has no socket_address`, 'set llm_meta.options.region, or socket_address: { domains: [bedrock-runtime.<region>.amazonaws.com], port: 443 }'));
    return;
  }
  if (host.options) {
    const options = rec(llm.v.options) ?? {};
    for (const [k, v] of Object.entries(host.options)) if (options[k] === undefined) options[k] = v;
    llm.v.options = options;
  }
  if (written(rawEp?.v.socket_address)) return;
  const isName = !/^[\d.]+$/.test(host.host);
  ep.v.socket_address = { ...(rec(ep.v.socket_address) ?? {}), address: host.host, port: host.port, domains: isName ? [host.host] : [] };
  if (rawLlm?.scheme === undefined) llm.v.scheme = host.scheme;
}
