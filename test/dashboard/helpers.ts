// Shared by the dashboard and Grafana tests: one real gateway whose route runs every filter with metrics the
// dashboards read (keys with a budget and a soft budget → ratelimit → guardrails → tokenizer → proxy) in front of the
// strict OpenAI mock, an admin token, and scripted traffic that produces successes, a stream, an upstream error, a
// rate-limit rejection, a guardrail block and a soft budget alert.
import { startMockOpenAi, type MockProvider } from '../helpers/mock-providers/index.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

export const ADMIN_TOKEN = 'dash-admin-token-0123456789';
/** The client key with a budget (and a soft budget the first request reaches); the others: one request a minute, a
 * budget too small for any request, no budget. */
export const KEY = 'sk-dash-main';
export const SLOW_KEY = 'sk-dash-slow';
export const POOR_KEY = 'sk-dash-poor';
export const FREE_KEY = 'sk-dash-free';
const MASTER = 'sk-dash-master-0123456789abcdef';

export function dashboardYaml(upstreamPort: number): string {
  return `static_resources:
  shutdown_config: {timeout: 300ms}
  adapters:
    - {id: keystore, name: dgp.adapter.store.sqlite, config: {path: data/keys.db}}
  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config:
                routes:
                  - id: llm
                    match: {prefix: /}
                    route: {cluster: llm}
              http_filters:
                - name: dgp.filter.llm.keys
                  config:
                    store: keystore
                    master_key: ${MASTER}
                    keys:
                      - {key: ${KEY}, id: team-bot, alias: team-bot, max_budget_usd: 5, budget_duration: 1d, soft_budget_usd: 0.000001}
                      - {key: ${SLOW_KEY}, id: slow-bot, rpm: 1}
                      - {key: ${POOR_KEY}, id: poor-bot, max_budget_usd: 0.000001}
                      - {key: ${FREE_KEY}, id: free-bot}
                - name: dgp.filter.llm.ratelimit
                  config:
                    rules:
                      - {scope: route, requests: {per_minute: 1000}}
                - name: dgp.filter.ai.guardrails
                  config:
                    input:
                      - { check: deny, name: secret-project, words: ["project bluebird"], action: block }
                      - { check: pii, entities: [email], action: redact }
                - name: dgp.filter.llm.cache
                  config: {scope: key}
                - name: dgp.filter.llm.tokenizer
                  config: {}
                - name: dgp.filter.llm.proxy
                  config: {}
  clusters:
    - name: llm
      lb_policy: RoundRobin
      endpoints:
        - id: ep-0
          socket_address: {address: 127.0.0.1, port: ${upstreamPort}}
          llm_meta: {provider: openai, api_key: sk-test, scheme: http, health_check_interval: 0, retry_policy: {name: CountBased, config: {times: 1}}}
admin:
  address: 127.0.0.1
  port: 0
  token: ${ADMIN_TOKEN}
`;
}

export interface DashGateway {
  g: TestGateway;
  up: MockProvider;
  close(): Promise<void>;
}

export async function startDashGateway(): Promise<DashGateway> {
  // "fail" in the prompt makes the upstream answer 500 (an upstream error the dashboards count).
  const up = await startMockOpenAi({
    reply: (req) => (JSON.stringify(req.body).includes('please fail') ? { error: { status: 500, body: { error: { message: 'boom', type: 'server_error' } } } } : { text: 'hello there', usage: { input: 12, output: 30 } }),
  });
  const g = await startGateway(dashboardYaml(up.port));
  return { g, up, close: async () => (await g.close(), await up.close()) };
}

const chat = (content: string, stream = false, model = 'gpt-4o-mini') => ({ model, messages: [{ role: 'user', content }], ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}) });

export async function send(g: TestGateway, content: string, opts: { stream?: boolean; key?: string; model?: string } = {}): Promise<number> {
  const r = await fetch(`${g.url()}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.key ?? KEY}` },
    body: JSON.stringify(chat(content, opts.stream, opts.model)),
  });
  await r.arrayBuffer();
  return r.status;
}

/**
 * Scripted traffic, statuses in order: `ok` unary successes, a stream, an upstream 500, a guardrail block (400), a
 * request and its rate-limit 429 (the upstream 500 is retried once), a budget 429, and a model the price book does not know (200, cost unknown).
 */
export async function scriptedTraffic(g: TestGateway, ok = 3): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < ok; i++) statuses.push(await send(g, `hello ${i}, mail me at a@example.com`));
  statuses.push(await send(g, 'stream please', { stream: true }));
  statuses.push(await send(g, 'please fail'));
  statuses.push(await send(g, 'tell me about project bluebird'));
  statuses.push(await send(g, 'one', { key: SLOW_KEY }), await send(g, 'two', { key: SLOW_KEY }));
  statuses.push(await send(g, 'too dear', { key: POOR_KEY }));
  statuses.push(await send(g, 'local model', { key: FREE_KEY, model: 'my-local-model' }));
  return statuses;
}

/** The admin listener's /metrics text (with the admin token). */
export async function scrape(g: TestGateway): Promise<string> {
  return (await fetch(`${g.adminUrl}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
}
