// Shared by the cache tests: a gateway whose listener runs [keys →] cache → proxy to clusters on loopback, and
// small readers for the three client APIs' answers (the official SDKs for OpenAI and Anthropic, fetch for Gemini).
import type { Test } from 'tap';
import { KEYS, type Provider } from '../../../e2e/providers/helpers.js';
import { startGateway, type TestGateway } from '../../../helpers/gateway.js';
import { startPacedOpenAi } from '../ratelimit/helpers.js';

export interface CacheGatewayOptions {
  /** dgp.filter.llm.cache config as a YAML flow mapping. */
  cache?: string;
  /** dgp.filter.llm.keys config as a YAML flow mapping; absent: no keys filter. */
  keys?: string;
  /** Clusters: name → endpoints. Routes: /c/<name>/ (prefix stripped by path) is not needed: the `x-cluster` header picks one. */
  clusters: Record<string, Array<{ provider: Provider | 'deepseek'; port: number; extra?: Record<string, unknown> }>>;
  /** YAML list items under static_resources.adapters (4 spaces). */
  adapters?: string;
  /** dgp.filter.llm.ratelimit config (flow mapping) between keys and the cache; absent: none. */
  ratelimit?: string;
}

/** The first cluster takes every request; a request with header `x-cluster: <name>` goes to that cluster. */
export function cacheGatewayYaml(o: CacheGatewayOptions): string {
  const names = Object.keys(o.clusters);
  const routes = [
    ...names.slice(1).map((n) => `                  - match: {prefix: /, headers: [{name: x-cluster, values: [${n}]}]}\n                    route: {cluster: ${n}}`),
    `                  - match: {prefix: /}\n                    route: {cluster: ${names[0]}}`,
  ].join('\n');
  const keys = o.keys === undefined ? '' : `                - name: dgp.filter.llm.keys\n                  config: ${o.keys}\n`;
  const rl = o.ratelimit === undefined ? '' : `                - name: dgp.filter.llm.ratelimit\n                  config: ${o.ratelimit}\n`;
  const clusters = names
    .map((n) => {
      const eps = o.clusters[n]!.map(
        (e, i) => `        - id: ${n}-${i}
          socket_address: {address: 127.0.0.1, port: ${e.port}}
          llm_meta: ${JSON.stringify({ provider: e.provider, api_key: e.provider === 'deepseek' ? 'sk-test' : KEYS[e.provider], scheme: 'http', health_check_interval: 0, retry_policy: { name: 'NoRetry', config: {} }, ...e.extra })}`,
      );
      return `    - name: ${n}\n      lb_policy: RoundRobin\n      endpoints:\n${eps.join('\n')}`;
    })
    .join('\n');
  return `static_resources:
  shutdown_config: {timeout: 300ms}
${o.adapters === undefined ? '' : `  adapters:\n${o.adapters}\n`}  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config:
                routes:
${routes}
              http_filters:
${keys}${rl}                - name: dgp.filter.llm.cache
                  config: ${o.cache ?? '{}'}
                - name: dgp.filter.llm.proxy
                  config: {}
  clusters:
${clusters}
`;
}

export const question = (over: Record<string, unknown> = {}) => ({
  model: 'gpt-4o-mini',
  max_tokens: 64,
  messages: [
    { role: 'system' as const, content: 'Be brief.' },
    { role: 'user' as const, content: 'What is the capital of France?' },
  ],
  ...over,
});

export const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer client', ...headers }, body: JSON.stringify(body) });

/** Gemini generateContent (unary) or streamGenerateContent?alt=sse, through fetch. */
export async function gemini(base: string, text: string, opts: { stream?: boolean; headers?: Record<string, string>; system?: string; maxTokens?: number } = {}) {
  const op = opts.stream === true ? 'streamGenerateContent?alt=sse' : 'generateContent';
  const body = {
    systemInstruction: { parts: [{ text: opts.system ?? 'Be brief.' }] },
    contents: [{ role: 'user', parts: [{ text }] }],
    generationConfig: { maxOutputTokens: opts.maxTokens ?? 64 },
  };
  const res = await fetch(`${base}/v1beta/models/gpt-4o-mini:${op}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-goog-api-key': 'client', ...opts.headers }, body: JSON.stringify(body) });
  return { res, text: await res.text() };
}

/** The concatenated text of a Gemini answer (unary JSON or SSE). */
export function geminiText(body: string): string {
  const objs = body.trimStart().startsWith('{') ? [JSON.parse(body)] : body.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)));
  return objs.map((o: { candidates?: Array<{ content?: { parts?: Array<{ text?: string }> } }> }) => (o.candidates?.[0]?.content?.parts ?? []).map((p) => p.text ?? '').join('')).join('');
}

/** The value of an unlabelled metric in /metrics (0 when absent). */
export async function plainMetric(adminUrl: string, name: string): Promise<number> {
  const line = (await (await fetch(`${adminUrl}/metrics`)).text()).split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
}

/**
 * A gateway with a global cache in front of a paced OpenAI stream (30 events, 20 ms apart), and a streaming leader
 * that has read its first bytes: `ac.abort()` is its client leaving; identical requests to `url` coalesce with it.
 */
export async function streamingLeader(t: Test): Promise<{ up: Awaited<ReturnType<typeof startPacedOpenAi>>; g: TestGateway; url: string; ac: AbortController; reader: ReadableStreamDefaultReader<Uint8Array> }> {
  const up = await startPacedOpenAi({ events: 30, intervalMs: 20, usage: { input: 5, output: 30 } });
  const g = await startGateway(cacheGatewayYaml({ cache: '{scope: global}', clusters: { llm: [{ provider: 'openai', port: up.port }] } }));
  t.teardown(async () => (await g.close(), await up.close()));
  const url = `${g.url()}/v1/chat/completions`;
  const ac = new AbortController();
  const leader = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(question({ stream: true })), signal: ac.signal });
  t.equal(leader.headers.get('x-dgp-cache'), 'MISS', 'the first request leads');
  const reader = leader.body!.getReader();
  await reader.read();
  return { up, g, url, ac, reader };
}
