// Rate limits in one real Redis: three gateway processes hold a 60 per minute limit globally (±1 for what drains
// while the burst runs); keys carry the {hash tag}; and with Redis down on_store_error decides — local limits each
// process to its share (limit / expected_instances), open admits, closed answers 503 — counted in
// dgp_ratelimit_store_errors_total and shown in GET /ready detail. The process test needs the compiled dist/.
import { Redis } from 'ioredis';
import t from 'tap';
import { startRedis } from '../../../helpers/redis-server.js';
import { startGateway } from '../../../helpers/gateway.js';
import { chat, metric, post, postFresh, rlGatewayYaml, startGatewayProcess, startPacedOpenAi } from './helpers.js';

const redis = await startRedis();
t.teardown(() => redis.close());
const adapter = (prefix: string) => `    - {id: limits, name: dgp.adapter.store.redis, config: {url: "${redis.url}", key_prefix: "${prefix}", connect_timeout: 1s, command_timeout: 500ms, reconnect_max: 200ms}}`;

t.test('three gateway processes sharing one Redis hold 60 per minute globally', async (t) => {
  const up = await startPacedOpenAi({ events: 1, intervalMs: 1, usage: { input: 3, output: 1 } });
  const rules = '                    store: limits\n                    rules:\n                      - {scope: route, requests: {per_minute: 60}}';
  const yaml = rlGatewayYaml({ provider: 'openai', port: up.port, ratelimit: rules, adapters: adapter('three:') });
  const gws = await Promise.all([0, 1, 2].map(() => startGatewayProcess(yaml)));
  t.teardown(async () => (await Promise.all(gws.map((g) => g.stop())), await up.close()));
  const started = Date.now();
  const statuses = await Promise.all(Array.from({ length: 180 }, (_, i) => postFresh(gws[i % 3]!.port, '/v1/chat/completions', chat())));
  const elapsed = Date.now() - started;
  const admitted = statuses.filter((s) => s === 200).length;
  t.equal(statuses.filter((s) => s !== 200 && s !== 429).length, 0, 'every answer is 200 or 429');
  // 60/min drains one request a second: a burst that took longer than 1 s may admit one more.
  t.ok(admitted >= 60 && admitted <= 60 + Math.floor(elapsed / 1000), `admitted ${admitted} of 180 in ${elapsed} ms`);
  t.equal(up.count, admitted, 'the upstream saw exactly the admitted ones');
  const raw = new Redis(redis.port, '127.0.0.1');
  t.teardown(() => raw.disconnect());
  const keys = await raw.keys('three:*');
  t.same(keys, ['three:rl:{dgp-rl}:route:requests:minute:llm'], 'one cell, hash-tagged for Redis Cluster');
});

t.test('Redis down: local limits each process to its share, counted and shown in /ready; back: shared again', async (t) => {
  const up = await startPacedOpenAi({ events: 1, intervalMs: 1, usage: { input: 3, output: 1 } });
  const rules = '                    store: limits\n                    on_store_error: local\n                    expected_instances: 4\n                    rules:\n                      - {scope: route, requests: {per_minute: 20}, concurrency: 8}';
  const g = await startGateway(rlGatewayYaml({ provider: 'openai', port: up.port, ratelimit: rules, adapters: adapter('outage:') }));
  t.teardown(async () => (await g.close(), await up.close()));
  const url = `${g.url()}/v1/chat/completions`;
  const burst = async (n: number) => {
    const rs = await Promise.all(Array.from({ length: n }, () => post(url, chat())));
    await Promise.all(rs.map((r) => r.text()));
    return rs;
  };
  t.equal((await burst(3)).filter((r) => r.status === 200).length, 3, 'Redis up: admitted against Redis');
  await redis.stop();
  const during = await burst(10);
  t.equal(during.filter((r) => r.status === 200).length, 5, 'Redis down: this process admits its share, 20 / 4 = 5');
  t.equal(during.find((r) => r.status === 200)!.headers.get('x-ratelimit-limit-requests'), '5', 'and says so');
  t.ok(during.every((r) => r.status === 200 || r.status === 429), 'never a 503 under local');
  t.ok((await metric(g.adminUrl, 'dgp_ratelimit_store_errors_total', { store: 'limits', op: 'admit', on_store_error: 'local' })) >= 10, 'every failed admission counted');
  t.equal(await metric(g.adminUrl, 'dgp_ratelimit_requests_total', { outcome: 'local' }), 5);
  const ready = (await (await fetch(`${g.adminUrl}/ready`)).json()) as { detail: Record<string, Record<string, unknown>> };
  t.match(ready.detail['dgp.filter.llm.ratelimit:limits'], { ready: true, store: 'limits', degraded: true, failing_since: /^\d{4}-/, last_error: /unavailable|closed|connect/ });
  await redis.start();
  let back = false;
  for (let i = 0; i < 200 && !back; i++) {
    await new Promise((r) => setTimeout(r, 50));
    back = (await post(url, chat()).then(async (r) => (await r.text(), r.headers.get('x-ratelimit-limit-requests')))) === '20';
  }
  t.ok(back, 'Redis back: the full limit again, against the (restarted, empty) Redis');
  const after = (await (await fetch(`${g.adminUrl}/ready`)).json()) as { detail: Record<string, Record<string, unknown>> };
  t.match(after.detail['dgp.filter.llm.ratelimit:limits'], { degraded: false });
});

t.test('Redis down: open admits without limits, closed answers 503 (a gateway state, not a limit)', async (t) => {
  const up = await startPacedOpenAi({ events: 1, intervalMs: 1, usage: { input: 3, output: 1 } });
  const rules = (mode: string) => `                    store: limits\n                    on_store_error: ${mode}\n                    rules:\n                      - {scope: route, requests: {per_minute: 1}}`;
  const open = await startGateway(rlGatewayYaml({ provider: 'openai', port: up.port, ratelimit: rules('open'), adapters: adapter('modes:') }));
  const closed = await startGateway(rlGatewayYaml({ provider: 'openai', port: up.port, ratelimit: rules('closed'), adapters: adapter('modes:') }));
  t.teardown(async () => (await open.close(), await closed.close(), await up.close()));
  await redis.stop();
  t.teardown(() => redis.start());
  const send = async (g: typeof open) => {
    const r = await post(`${g.url()}/v1/chat/completions`, chat());
    return { status: r.status, body: (await r.json()) as { error: Record<string, unknown> }, retry: r.headers.get('retry-after') };
  };
  const o = [await send(open), await send(open), await send(open)];
  t.same(o.map((r) => r.status), [200, 200, 200], 'open: admitted, unlimited');
  t.equal(await metric(open.adminUrl, 'dgp_ratelimit_requests_total', { outcome: 'open' }), 3);
  const c = await send(closed);
  t.equal(c.status, 503);
  t.match(c.body.error, { code: 'DGP_ERR_RATELIMIT_STORE_UNAVAILABLE', type: 'server_error' });
  t.equal(c.retry, '1');
});
