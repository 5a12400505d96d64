// Model routing through the REAL gateway with the official `openai` client: the proxy's model_list resolves names,
// aliases and `*` patterns to deployments in other clusters with their upstream model; priorities fall back only when
// the higher deployment is out; the routing trace (x-dgp-route and the access log) names the cooled endpoint;
// GET /v1/models and /v1/models/{alias} answer from the configuration.
import OpenAI from 'openai';
import t, { type Test } from 'tap';
import { startMockAnthropic, startMockOpenAi, type MockProvider } from '../../helpers/mock-providers/index.js';
import { startGateway, type TestGateway } from '../../helpers/gateway.js';
import { accessLines, openAiClient } from './helpers.js';

const endpoint = (id: string, provider: string, port: number, key: string, cooldown = 0): string => `
        - id: ${id}
          socket_address: {address: 127.0.0.1, port: ${port}}
          llm_meta: {provider: ${provider}, api_key: ${key}, scheme: http, health_check_interval: ${cooldown}}`;

function yaml(oa: MockProvider, an: MockProvider, backup: MockProvider, proxyExtra = ''): string {
  return `static_resources:
  shutdown_config: {timeout: 300ms}
  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config:
                routes:
                  - match: {prefix: /}
                    route: {cluster: oa}
                    id: llm
              http_filters:
                - name: dgp.filter.llm.proxy
                  config:
                    route_header: true
                    unknown_model: reject${proxyExtra}
                    model_list:
                      - model_name: smart
                        aliases: [gpt4, best]
                        deployments: [{cluster: an, model: claude-sonnet-4-5}]
                      - model_name: "gpt-4o*"
                        deployments: [{cluster: oa}]
                      - model_name: fast
                        deployments:
                          - {cluster: oa, endpoint: a, model: gpt-4o-mini, priority: 1}
                          - {cluster: backup, model: backup-mini, priority: 0}
  clusters:
    - name: oa
      endpoints:${endpoint('a', 'openai', oa.port, 'sk-test', 60000)}
    - name: an
      endpoints:${endpoint('b', 'anthropic', an.port, 'sk-ant-test')}
    - name: backup
      endpoints:${endpoint('c', 'openai', backup.port, 'sk-test')}
`;
}

interface Setup {
  gw: TestGateway;
  oa: MockProvider;
  an: MockProvider;
  backup: MockProvider;
  client: OpenAI;
  state: { failOa: boolean };
}

async function setup(t: Test): Promise<Setup> {
  const state = { failOa: false };
  const oa = await startMockOpenAi({
    reply: () => (state.failOa ? { error: { status: 503, body: { error: { message: 'overloaded', type: 'server_error', param: null, code: null } } } } : { text: 'from oa' }),
  });
  const an = await startMockAnthropic({ reply: { text: 'from anthropic' } });
  const backup = await startMockOpenAi({ reply: { text: 'from backup' } });
  const gw = await startGateway(yaml(oa, an, backup));
  t.teardown(async () => {
    await gw.close();
    await Promise.all([oa.close(), an.close(), backup.close()]);
  });
  return { gw, oa, an, backup, client: openAiClient(gw.url()), state };
}

const ask = (client: OpenAI, model: string) => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }).withResponse();

t.test('names, aliases and * patterns pick their deployment and upstream model', async (t) => {
  const s = await setup(t);
  const viaAlias = await ask(s.client, 'gpt4');
  t.equal(viaAlias.data.choices[0]!.message.content, 'from anthropic');
  t.equal(viaAlias.data.model, 'gpt4', 'the client sees the name it sent');
  t.equal((s.an.requests[0]!.body as { model: string }).model, 'claude-sonnet-4-5', 'the deployment model goes upstream');
  t.equal(viaAlias.response.headers.get('x-dgp-route'), 'route=llm;model=gpt4;group=smart(alias);candidates=an/b(picked);pick=weighted');

  const viaPattern = await ask(s.client, 'gpt-4o-2024-08-06');
  t.equal(viaPattern.data.choices[0]!.message.content, 'from oa');
  t.equal((s.oa.requests[0]!.body as { model: string }).model, 'gpt-4o-2024-08-06', 'no deployment model: the requested one');
  t.equal(viaPattern.response.headers.get('x-dgp-route'), 'route=llm;model=gpt-4o-2024-08-06;group=gpt-4o*(pattern);candidates=oa/a(picked);pick=weighted');

  const byName = await ask(s.client, 'smart');
  t.equal(byName.response.headers.get('x-dgp-route'), 'route=llm;model=smart;group=smart;candidates=an/b(picked);pick=weighted');

  const err = await ask(s.client, 'nope').catch((e: unknown) => e);
  t.type(err, OpenAI.NotFoundError, 'unknown_model: reject answers 404');
  t.equal((err as InstanceType<typeof OpenAI.NotFoundError>).code, 'model_not_found');
  t.match((err as Error).message, /The model 'nope' does not exist/);
  t.equal(s.oa.requests.length + s.an.requests.length + s.backup.requests.length, 3, 'the unknown model reached no upstream');
});

t.test('priority fallback: the lower priority serves only while the higher one is out; the trace names the cooled endpoint', async (t) => {
  const s = await setup(t);
  const first = await ask(s.client, 'fast');
  t.equal(first.data.choices[0]!.message.content, 'from oa', 'priority 1 first');
  t.equal((s.oa.requests[0]!.body as { model: string }).model, 'gpt-4o-mini');
  t.equal(s.backup.requests.length, 0, 'the lower priority is not used while the higher one is up');

  s.state.failOa = true;
  const failed = await ask(s.client, 'fast');
  t.equal(failed.data.choices[0]!.message.content, 'from backup', 'a failing priority-1 endpoint falls back to priority 0');
  t.equal((s.backup.requests[0]!.body as { model: string }).model, 'backup-mini');
  t.equal(failed.response.headers.get('x-dgp-route'), 'route=llm;model=fast;group=fast;candidates=oa/a(failed:503),backup/c(picked);pick=fallback:weighted');
  t.equal(failed.response.headers.get('x-dgp-attempts'), 'a=503;c=200');

  const cooled = await ask(s.client, 'fast');
  t.equal(cooled.data.choices[0]!.message.content, 'from backup');
  t.equal(cooled.response.headers.get('x-dgp-route'), 'route=llm;model=fast;group=fast;candidates=oa/a(cooling),backup/c(picked);pick=fallback:weighted', 'the cooled endpoint is skipped without an attempt');
  t.equal(s.oa.requests.length, 2);
  const log = accessLines(s.gw).at(-1)!;
  t.equal(log.route_trace, 'route=llm;model=fast;group=fast;candidates=oa/a(cooling),backup/c(picked);pick=fallback:weighted', 'the access log carries the trace');
  t.equal(log.endpoint, 'c');

  const view = (await (await fetch(`${s.gw.adminUrl}/admin/v1/clusters`)).json()) as { clusters: Array<{ name: string; endpoints: Array<Record<string, unknown>> }> };
  const a = view.clusters.find((c) => c.name === 'oa')!.endpoints[0]!;
  t.equal(a.healthy, false, 'a cooling endpoint is not healthy');
  t.match(a, { id: 'a', health: { passive: 'cooling', marked_healthy: true }, in_flight: 0, requests: 2, errors: 1 });
  t.match(a.cooldown_until, /^\d{4}-/);
  const c = view.clusters.find((x) => x.name === 'backup')!.endpoints[0]!;
  t.match(c, { id: 'c', healthy: true, health: { passive: 'ok' }, requests: 2, errors: 0, in_flight: 0 });
  t.type(c.latency_ms, 'number');
  const config = (await (await fetch(`${s.gw.adminUrl}/config`)).json()) as { runtime: { clusters: Array<{ name: string; endpoints: Array<{ healthy: boolean; cooldown_until: string | null }> }> } };
  t.equal(config.runtime.clusters.find((x) => x.name === 'oa')!.endpoints[0]!.healthy, false, '/config: an endpoint in cooldown is not healthy');
});

t.test('GET /v1/models and /v1/models/{alias} answer from the model list (openai client)', async (t) => {
  const s = await setup(t);
  const listed = [];
  for await (const m of s.client.models.list()) listed.push(m.id);
  t.same(listed, ['smart', 'gpt4', 'best', 'fast'], 'each group name then its aliases; patterns are not listed');
  const alias = await s.client.models.retrieve('gpt4');
  t.same({ id: alias.id, object: alias.object, owned_by: alias.owned_by }, { id: 'gpt4', object: 'model', owned_by: 'anthropic' });
  const missing = await s.client.models.retrieve('gpt-5').catch((e: unknown) => e);
  t.type(missing, OpenAI.NotFoundError);
  t.equal((missing as InstanceType<typeof OpenAI.NotFoundError>).code, 'model_not_found');
});

t.test('routes match on the model (route_config match.model): body model for OpenAI / Anthropic, path for Gemini', async (t) => {
  const oa = await startMockOpenAi({ reply: { text: 'from oa' } });
  const an = await startMockAnthropic({ reply: { text: 'from anthropic' } });
  const backup = await startMockOpenAi({ reply: { text: 'from backup' } });
  const routes = `
                  - match: {prefix: /, model: ["claude-*", sonnet]}
                    route: {cluster: an}
                    id: claude
                  - match: {prefix: /, model: [backup-model]}
                    route: {cluster: backup}
                    id: backup
                  - match: {prefix: /}
                    route: {cluster: oa}
                    id: default`;
  const base = yaml(oa, an, backup).replace('unknown_model: reject', 'unknown_model: route_cluster').replace(/\n {18}- match: \{prefix: \/\}\n {20}route: \{cluster: oa\}\n {20}id: llm/, routes);
  t.match(base, /id: claude/);
  const gw = await startGateway(base);
  t.teardown(async () => {
    await gw.close();
    await Promise.all([oa.close(), an.close(), backup.close()]);
  });
  const client = openAiClient(gw.url());
  const viaClaude = await ask(client, 'sonnet');
  t.equal(viaClaude.data.choices[0]!.message.content, 'from anthropic', 'an exact model name picks the route');
  t.match(viaClaude.response.headers.get('x-dgp-route'), /^route=claude;/);
  t.equal((an.requests[0]!.body as { model: string }).model, 'sonnet');
  t.equal((await ask(client, 'claude-haiku-4-5')).data.choices[0]!.message.content, 'from anthropic', 'a pattern picks the route');
  t.equal((await ask(client, 'backup-model')).data.choices[0]!.message.content, 'from backup');
  const plain = await ask(client, 'gpt-4o-mini');
  t.equal(plain.data.choices[0]!.message.content, 'from oa', 'any other model: the route without a model matcher');
  t.match(plain.response.headers.get('x-dgp-route'), /^route=default;/);

  const gemini = await fetch(`${gw.url()}/v1beta/models/claude-sonnet-4-5:generateContent`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-api-key': 'client-key' },
    body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
  });
  t.equal(gemini.status, 200, 'a Gemini client: the model comes from the path');
  t.equal(gemini.headers.get('x-dgp-route')?.startsWith('route=claude;'), true);
  t.equal((an.requests.at(-1)!.body as { model: string }).model, 'claude-sonnet-4-5');

  const bad = await fetch(`${gw.url()}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model": "sonnet", ' });
  t.equal(bad.status, 400, 'a body that is not JSON names no model: the default route answers in the client shape');
  t.match(await bad.json(), { error: { type: 'invalid_request_error' } });
  t.equal(accessLines(gw).at(-1)!.route, 'default');
});

t.test('match.model on a listener without a filter that reads the model fails the load with the fix', async (t) => {
  const err = await startGateway(`static_resources:
  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config: {routes: [{match: {prefix: /, model: [gpt-4o]}, route: {cluster: c}}]}
              http_filters: [{name: dgp.filter.llm.tokenizer, config: {}}]
  clusters: [{name: c, endpoints: []}]
`).catch((e: unknown) => e);
  t.match(err, { message: /DGP_ERR_CONFIG_ROUTE_MODEL|none of its http_filters reads the request's model/ });
});

t.test('a deployment naming a missing cluster or endpoint: a warning at load, not_found in the trace, the next one serves', async (t) => {
  const oa = await startMockOpenAi({ reply: { text: 'from oa' } });
  const an = await startMockAnthropic({ reply: { text: 'from anthropic' } });
  const backup = await startMockOpenAi({ reply: { text: 'from backup' } });
  const extra = `
                      - model_name: ghost
                        deployments:
                          - {cluster: nowhere, priority: 2}
                          - {cluster: oa, endpoint: zz, priority: 1}
                          - {cluster: backup}`;
  const base = yaml(oa, an, backup).replace('{cluster: backup, model: backup-mini, priority: 0}', `{cluster: backup, model: backup-mini, priority: 0}${extra}`);
  const gw = await startGateway(base);
  t.teardown(async () => (await gw.close(), await Promise.all([oa.close(), an.close(), backup.close()])));
  const warned = gw.logs.filter((l) => l.code === 'DGP_ERR_CONFIG_REFERENCE').map((l) => l.msg);
  t.match(warned, [/model group "ghost": cluster "nowhere" does not exist/, /model group "ghost": cluster "oa" has no endpoint "zz"/]);
  const r = await ask(openAiClient(gw.url()), 'ghost');
  t.equal(r.data.choices[0]!.message.content, 'from backup');
  t.equal(r.response.headers.get('x-dgp-route'), 'route=llm;model=ghost;group=ghost;candidates=nowhere/*(not_found),oa/zz(not_found),backup/c(picked);pick=weighted');
});
