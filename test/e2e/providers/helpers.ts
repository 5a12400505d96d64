// Shared by the provider end-to-end tests: a real gateway (tokenizer + proxy) with one listener per cluster, clusters
// whose endpoints point at the strict mock providers on loopback (`llm_meta.scheme: http`), the official SDK clients,
// and readers for the gateway's metrics and access log.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startMockAnthropic, startMockGemini, startMockOpenAi, type MockProvider, type ReplyScript } from '../../helpers/mock-providers/index.js';
import type { TestGateway } from '../../helpers/gateway.js';

export const PROVIDERS = ['openai', 'azure-openai', 'anthropic', 'gemini'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** The key each mock expects; the gateway holds it in llm_meta.api_key, clients send another. */
export const KEYS: Record<Provider, string> = { openai: 'sk-test', 'azure-openai': 'sk-test', anthropic: 'sk-ant-test', gemini: 'gm-test' };

export function startMock(provider: Provider, reply: ReplyScript): Promise<MockProvider> {
  if (provider === 'anthropic') return startMockAnthropic({ reply });
  if (provider === 'gemini') return startMockGemini({ reply, requireThoughtSignatures: true, signature: 'CiQBsig+sig/8=' });
  return startMockOpenAi({ reply, azure: provider === 'azure-openai' });
}

export interface EndpointConf {
  id: string;
  provider: string;
  port: number;
  apiKey?: string;
  fallback?: boolean;
  /** Endpoint meta, e.g. {weight: '1'} for WeightRandom. */
  meta?: Record<string, string>;
  /** More llm_meta keys (model_map, options...). */
  extra?: Record<string, unknown>;
}

export interface ListenerConf {
  name: string;
  cluster: string;
  endpoints: EndpointConf[];
  /** dgp.filter.llm.proxy config as a YAML flow mapping. */
  proxy?: string;
  /** Default RoundRobin. */
  lb?: string;
}

/** A gateway with one listener (port 0) and one cluster per entry; cooldowns off (health_check_interval 0). */
export function gatewayYaml(listeners: readonly ListenerConf[]): string {
  const ls = listeners
    .map(
      (l) => `
    - name: ${l.name}
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config:
                routes:
                  - match: {prefix: /}
                    route: {cluster: ${l.cluster}}
              http_filters:
                - name: dgp.filter.llm.tokenizer
                  config: {estimate_missing_usage: false}
                - name: dgp.filter.llm.proxy
                  config: ${l.proxy ?? '{}'}`,
    )
    .join('');
  const cs = listeners
    .map(
      (l) => `
    - name: ${l.cluster}
      lb_policy: ${l.lb ?? 'RoundRobin'}
      endpoints:${l.endpoints
        .map(
          (e) => `
        - id: ${e.id}
          socket_address: {address: 127.0.0.1, port: ${e.port}}${e.meta ? `\n          meta: ${JSON.stringify(e.meta)}` : ''}
          llm_meta: ${JSON.stringify({
            provider: e.provider,
            api_key: e.apiKey ?? KEYS[e.provider as Provider] ?? '',
            scheme: 'http',
            fallback: e.fallback ?? false,
            health_check_interval: 0,
            ...e.extra,
          })}`,
        )
        .join('')}`,
    )
    .join('');
  // A short drain bound keeps teardown fast: a client connection left after a cut stream is not idle for node:http.
  return `static_resources:\n  shutdown_config: {timeout: 300ms}\n  listeners:${ls}\n  clusters:${cs}\n`;
}

export const openAiClient = (baseURL: string): OpenAI => new OpenAI({ apiKey: 'client-key', baseURL: `${baseURL}/v1`, maxRetries: 0 });
export const anthropicClient = (baseURL: string): Anthropic => new Anthropic({ apiKey: 'client-key', baseURL, maxRetries: 0 });

/** The value of one sample of a counter in the gateway's /metrics text, 0 when absent. */
export async function metricValue(gw: TestGateway, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${gw.adminUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const ok = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (ok) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** The access-log lines (the host writes one per request) seen so far. */
export function accessLines(gw: TestGateway): Array<Record<string, unknown>> {
  return gw.logs.filter((l) => l.type === 'access');
}
