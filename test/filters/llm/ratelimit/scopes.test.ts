// Who shares a counter: the key's own rpm / tpm / max_parallel_requests from dgp.filter.llm.keys, team and header
// scopes, model globs, a per-route override of the rules (route.filters), all-or-nothing across rules, and the
// upstream's own x-ratelimit-* headers dropped, passed or renamed.
import t from 'tap';
import { startMockOpenAi } from '../../../helpers/mock-providers/index.js';
import { startGateway } from '../../../helpers/gateway.js';
import { chat, metric, post, rlGatewayYaml } from './helpers.js';

const reply = { text: 'hello', usage: { input: 5, output: 2 } };
const KEYS = `                    keys:
                      - {key: sk-a, alias: a, team: red, rpm: 2}
                      - {key: sk-b, alias: b, team: red, max_parallel_requests: 1, tpm: 5000}
                      - {key: sk-c, alias: c, team: blue, rpm: 0}`;

t.test("the key's own limits, and a team rule all keys of the team share", async (t) => {
  const up = await startMockOpenAi({ reply });
  const rl = '                    rules:\n                      - {scope: team, requests: {per_minute: 5}}';
  const g = await startGateway(rlGatewayYaml({ provider: 'openai', port: up.port, keys: KEYS, ratelimit: rl }));
  t.teardown(async () => (await g.close(), await up.close()));
  const url = `${g.url()}/v1/chat/completions`;
  const as = (key: string, body = chat()) => post(url, body, { authorization: `Bearer ${key}` });
  const a = [await as('sk-a'), await as('sk-a'), await as('sk-a')];
  t.same(a.map((r) => r.status), [200, 200, 429], 'key a: rpm 2');
  const refusal = (await a[2]!.json()) as { error: { message: string } };
  t.match(refusal.error.message, /rule key-limits \(scope key\): limit 2 per minute/);
  t.equal(a[0]!.headers.get('x-ratelimit-limit-requests'), '2', 'the binding rule is the key (2 left of 2) over the team (5)');
  t.equal(a[0]!.headers.get('x-ratelimit-limit-tokens'), null, 'no token rule, no token headers');
  const b = [await as('sk-b'), await as('sk-b'), await as('sk-b')];
  t.same(b.map((r) => r.status), [200, 200, 200], 'key b has no rpm of its own');
  t.equal(b[0]!.headers.get('x-ratelimit-limit-tokens'), '5000', "b's tpm");
  const last = await as('sk-b');
  t.equal(last.status, 429, 'the team (red) has had its 5 requests: 2 by a, 3 by b');
  t.match(((await last.json()) as { error: { message: string } }).error.message, /rule team \(scope team\)/);
  const c = await as('sk-c');
  t.equal(c.status, 429, 'rpm 0 refuses every request');
  t.equal(c.headers.get('x-should-retry'), 'false');
  await Promise.all([...a, ...b, c].filter((r) => !r.bodyUsed).map((r) => r.text()));
  t.equal(up.requests.length, 5);
});

t.test('header scope, model globs, and all or nothing across rules', async (t) => {
  const up = await startMockOpenAi({ reply });
  const rl = `                    rules:
                      - {id: tenant, scope: "header:x-tenant", requests: {per_minute: 3}}
                      - {id: big-models, scope: model, match: ["gpt-4o", "o3*"], requests: {per_minute: 1}}`;
  const g = await startGateway(rlGatewayYaml({ provider: 'openai', port: up.port, ratelimit: rl }));
  t.teardown(async () => (await g.close(), await up.close()));
  const url = `${g.url()}/v1/chat/completions`;
  const send = async (tenant: string | undefined, model: string) => {
    const r = await post(url, chat({ model }), tenant === undefined ? {} : { 'x-tenant': tenant });
    await r.text();
    return r.status;
  };
  t.equal(await send('acme', 'o3-mini'), 200);
  t.equal(await send('acme', 'o3-mini'), 429, 'o3* matched: 1 per minute for that model');
  t.equal(await send('acme', 'gpt-4o-mini'), 200, 'gpt-4o-mini matches neither gpt-4o nor o3*');
  // The refused o3-mini request held nothing: acme has used 2 of its 3, not 3.
  t.equal(await send('acme', 'gpt-4o-mini'), 200, 'a request refused by a later rule released what an earlier one held');
  t.equal(await send('acme', 'gpt-4o-mini'), 429, 'now acme has had its 3');
  t.equal(await send('globex', 'gpt-4o-mini'), 200, 'another tenant has its own counter');
  t.equal(await send(undefined, 'gpt-4o-mini'), 200, 'no header: the tenant rule does not count the request');
  t.equal(await metric(g.adminUrl, 'dgp_ratelimit_limited_total', { rule: 'big-models' }), 1);
  t.equal(await metric(g.adminUrl, 'dgp_ratelimit_limited_total', { rule: 'tenant' }), 1);
});

t.test('a route overrides the rules through route.filters', async (t) => {
  const up = await startMockOpenAi({ reply });
  const yaml = rlGatewayYaml({ provider: 'openai', port: up.port, ratelimit: '                    rules:\n                      - {id: r, scope: ip, requests: {per_minute: 100}}' }).replace(
    '                  - id: llm\n',
    `                  - id: batch
                    match: {prefix: /batch/}
                    route:
                      cluster: llm
                      filters:
                        dgp.filter.llm.ratelimit: {rules: [{id: batch, scope: ip, requests: {per_minute: 1}}]}
                  - id: llm\n`,
  );
  const g = await startGateway(yaml);
  t.teardown(async () => (await g.close(), await up.close()));
  const send = async (path: string) => {
    const r = await post(`${g.url()}${path}`, chat());
    await r.text();
    return r.status;
  };
  t.same([await send('/batch/v1/chat/completions'), await send('/batch/v1/chat/completions')], [200, 429], 'the batch route: 1 per minute');
  t.same([await send('/v1/chat/completions'), await send('/v1/chat/completions')], [200, 200], 'other routes: the listener rules');
});

t.test("the upstream's own rate-limit headers: dropped by default, renamed or passed on request", async (t) => {
  for (const [mode, want] of [['drop', {}], ['rename', { 'x-dgp-upstream-x-ratelimit-remaining-tokens': '77', 'x-dgp-upstream-anthropic-ratelimit-requests-limit': '9' }], ['pass', { 'x-ratelimit-remaining-tokens': '77' }]] as const) {
    // A 429 from the upstream carrying its own account's headers (the mock sets headers on error answers).
    const upHeaders = { 'x-ratelimit-remaining-tokens': '77', 'anthropic-ratelimit-requests-limit': '9', 'retry-after': '3' };
    const upstream = await startMockOpenAi({ reply: { error: { status: 429, headers: upHeaders, body: { error: { message: 'org limit', type: 'requests', param: null, code: 'rate_limit_exceeded' } } } } });
    const g = await startGateway(rlGatewayYaml({ provider: 'openai', port: upstream.port, ratelimit: `                    upstream_ratelimit_headers: ${mode}\n                    rules: [{scope: route, requests: {per_minute: 50}}]` }));
    const r = await post(`${g.url()}/v1/chat/completions`, chat());
    await r.text();
    t.equal(r.status, 429, `${mode}: the upstream's 429 reaches the client`);
    t.equal(r.headers.get('x-ratelimit-limit-requests'), '50', `${mode}: our own rule is described`);
    t.equal(r.headers.get('retry-after'), '3', `${mode}: the upstream's retry-after is kept`);
    for (const name of ['x-ratelimit-remaining-tokens', 'x-dgp-upstream-x-ratelimit-remaining-tokens', 'x-dgp-upstream-anthropic-ratelimit-requests-limit']) {
      t.equal(r.headers.get(name), (want as Record<string, string>)[name] ?? null, `${mode}: ${name}`);
    }
    t.equal(r.headers.get('anthropic-ratelimit-requests-limit'), mode === 'pass' ? '9' : null);
    await g.close();
    await upstream.close();
  }
});
