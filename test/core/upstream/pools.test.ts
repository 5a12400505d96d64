// Process-wide pools: one per origin and settings, explicit timeouts (reliability property 25), stats, close.
import t from 'tap';
import { UpstreamPools, undiciPoolOptions, endpointOrigin, gatewayUserAgent, type EndpointView } from '../../../core/index.js';
import { FakeUpstream } from '../../helpers/fake-upstream.js';

const opts = { connections: 0, keepAliveTimeout: 4000, connectTimeout: 1000, headersTimeout: 60_000, bodyTimeout: 30_000 };

t.test('the effective undici timeouts are the configured ones, never the defaults', async (t) => {
  const o = undiciPoolOptions({ ...opts, connections: 7, ca: 'PEM' }) as Record<string, unknown>;
  t.equal(o.headersTimeout, 60_000);
  t.equal(o.bodyTimeout, 30_000);
  t.equal(o.keepAliveTimeout, 4000);
  t.equal(o.keepAliveMaxTimeout, 4000, 'a server hint cannot lengthen our idle time');
  t.equal(o.connections, 7);
  t.same(o.connect, { timeout: 1000, ca: 'PEM' });
  t.equal((undiciPoolOptions({ ...opts, connectTimeout: 0 }) as { connections: unknown }).connections, null, '0 = unlimited');
});

t.test('one pool per origin and settings; stats; close', async (t) => {
  const up = await FakeUpstream.start();
  const pools = new UpstreamPools();
  const a = pools.get(up.origin, opts);
  t.equal(pools.get(up.origin, opts), a, 'same origin and settings → same pool');
  t.not(pools.get(up.origin, { ...opts, headersTimeout: 1 }), a, 'other settings → another pool');
  t.equal(pools.size, 2);
  const res = await a.request({ method: 'GET', path: '/x' });
  t.equal(res.statusCode, 200);
  await res.body.text();
  const s = pools.stats().find((x) => x.origin === up.origin)!;
  t.match(s, { running: 0, pending: 0, queued: 0 });
  t.equal(up.openConnections(), 1, 'the socket stays open for reuse');
  await pools.close();
  await up.waitFor(() => up.openConnections() === 0, 2000, 'sockets closed');
  t.throws(() => pools.get(up.origin, opts), /closed/);
  await up.close();
});

t.test('endpoint origin: domains win, IPv6 gets brackets; User-Agent names the gateway', async (t) => {
  const view = (over: Partial<EndpointView>): EndpointView =>
    ({ id: 'x', name: 'x', address: '10.0.0.1', port: 8000, domains: [], host: '10.0.0.1:8000', authority: '10.0.0.1:8000', meta: {}, llmMeta: undefined, healthy: true, source: 'static', ...over }) as EndpointView;
  t.equal(endpointOrigin(view({}), 'http'), 'http://10.0.0.1:8000');
  t.equal(endpointOrigin(view({ domains: ['api.openai.com'], authority: 'api.openai.com' }), 'https'), 'https://api.openai.com');
  t.equal(endpointOrigin(view({ address: '::1', authority: '::1:8000' }), 'http'), 'http://[::1]:8000');
  t.match(gatewayUserAgent(), /^dgp-gateway\/\d+\.\d+\.\d+/);
});
