// Many instances, one audit stream: three gateway processes write to one real Redis stream, and every request id
// appears in it exactly once — no duplicate per instance, none lost. The processes flush only at SIGTERM (the flush
// interval is an hour), so this also shows the queue is flushed on shutdown.
import { request as httpRequest } from 'node:http';
import { Redis } from 'ioredis';
import t from 'tap';
import { startRedis } from '../../../helpers/redis-server.js';
import { startMockOpenAi } from '../../../helpers/mock-providers/index.js';
import { startGatewayProcess } from '../../../filters/llm/ratelimit/helpers.js';

const redis = await startRedis();
t.teardown(() => redis.close());

function post(port: number, id: string): Promise<number> {
  const text = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `hi ${id}` }] });
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/v1/chat/completions', method: 'POST', agent: false, headers: { 'x-request-id': id, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(text);
  });
}

t.test('three gateway processes: exactly one record per request id in one Redis stream', async (t) => {
  const up = await startMockOpenAi({ reply: { text: 'ok', usage: { input: 3, output: 1 } } });
  t.teardown(() => up.close());
  const yaml = `static_resources:
  shutdown_config: {timeout: 2s}
  adapters:
    - {id: shared, name: dgp.adapter.store.redis, config: {url: "${redis.url}", key_prefix: "gw:", connect_timeout: 2s, command_timeout: 2s}}
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
                    route: {cluster: llm}
              http_filters:
                - name: dgp.filter.llm.proxy
                  config: {}
  clusters:
    - name: llm
      endpoints:
        - id: ep-0
          socket_address: {address: 127.0.0.1, port: ${up.port}}
          llm_meta: {provider: openai, api_key: sk-test, scheme: http}
audit:
  sinks: [ { type: redis_stream, store: shared, stream: "dgp:audit" } ]
  hmac_secret: audit-secret-0123456789
  flush_interval: 1h
`;
  const gws = await Promise.all([0, 1, 2].map(() => startGatewayProcess(yaml)));
  const ids = Array.from({ length: 60 }, (_, i) => `req-${i}`);
  const statuses = await Promise.all(ids.map((id, i) => post(gws[i % 3]!.port, id)));
  t.same([...new Set(statuses)], [200]);
  const raw = new Redis(redis.port, '127.0.0.1');
  t.teardown(() => raw.disconnect());
  t.equal(await raw.xlen('gw:dgp:audit'), 0, 'nothing is written before a flush');
  await Promise.all(gws.map((g) => g.stop()));
  const entries = await raw.xrange('gw:dgp:audit', '-', '+');
  const records = entries.map(([, fields]) => JSON.parse(fields[fields.indexOf('record') + 1]!) as Record<string, unknown>);
  t.equal(records.length, 60, 'one entry per request');
  t.same(records.map((r) => r.request_id).sort(), [...ids].sort(), 'every request id exactly once');
  t.match(records[0], { kind: 'llm', status: 200, outcome: 'ok', tokens: { input: 3, output: 1 }, prompt_hash: /^hmac-sha256:[0-9a-f]{64}$/ });
});

t.test('a retried batch is not doubled: the store appends each record id once', async (t) => {
  const { RedisStore } = await import('../../../../adapters/store/redis/redis-store.js');
  const pino = (await import('pino')).default;
  const store = new RedisStore({ url: redis.url, host: '', port: 0, username: '', password: '', db: 0, key_prefix: 'once:', connect_timeout: '2s', command_timeout: '2s', reconnect_min: '100ms', reconnect_max: '1s' } as never, pino({ level: 'silent' }));
  t.teardown(() => store.close());
  await store.whenReady();
  const batch = Array.from({ length: 5 }, (_, i) => ({ id: `rec-${i}`, fields: { record: `{"n":${i}}` } }));
  t.equal(await store.appendStream('s', batch, { maxLen: 1000, dedupeTtlMs: 60_000 }), 5);
  t.equal(await store.appendStream('s', batch, { maxLen: 1000, dedupeTtlMs: 60_000 }), 0, 'the same ids again: nothing appended');
  const raw = new Redis(redis.port, '127.0.0.1');
  t.teardown(() => raw.disconnect());
  t.equal(await raw.xlen('once:s'), 5);
});
