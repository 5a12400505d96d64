// The registry address list (Pixiu: comma-separated), failover order, backoff bounds, and config values that the
// schema cannot catch (a zero duration) failing create() with DGP_ERR_PLUGIN_CONFIG.
import t from 'tap';
import { Backoff } from '../../../../adapters/registry/llmregistrycenter/backoff.js';
import { parseServers, ServerList } from '../../../../adapters/registry/llmregistrycenter/servers.js';
import { unreachable } from '../../../../adapters/registry/llmregistrycenter/http-json.js';
import { createAdapter } from './harness.js';

t.test('parseServers', async (t) => {
  t.same(parseServers('127.0.0.1:8848', 8848, 'a'), ['http://127.0.0.1:8848']);
  t.same(parseServers(' 10.0.0.1 , https://n.example:9000 ,', 8848, 'a'), ['http://10.0.0.1:8848', 'https://n.example:9000']);
  t.same(parseServers('http://[::1]:2379', 2379, 'a'), ['http://[::1]:2379']);
  for (const bad of ['', ' , ', 'ftp://x', 'http://h:1/path', 'http://']) {
    t.throws(() => parseServers(bad, 1, 'registries.r.address'), { code: 'DGP_ERR_PLUGIN_CONFIG', message: /registries\.r\.address/ }, JSON.stringify(bad));
  }
});

t.test('ServerList: sticks to a server that answers, moves on when one is unreachable', async (t) => {
  const list = new ServerList(['a', 'b', 'c']);
  const seen: string[] = [];
  const result = await list.tryEach(async (o) => {
    seen.push(o);
    if (o !== 'c') throw unreachable(`${o} down`);
    return o;
  }, () => true);
  t.equal(result, 'c');
  t.same(seen, ['a', 'b', 'c']);
  t.equal(list.current, 'c', 'the next call starts at the one that answered');
  await t.rejects(list.tryEach(async (o) => Promise.reject(unreachable(`${o} down`)), () => true), { message: 'b down' }, 'each server once, then the last failure');
  await t.rejects(list.tryEach(async () => Promise.reject(new Error('auth')), () => false), { message: 'auth' }, 'other errors do not fail over');
});

t.test('Backoff doubles from min to max with ±20 % jitter, and resets', async (t) => {
  const b = new Backoff(100, 1000, () => 0.5);
  t.same([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()], [100, 200, 400, 800, 1000, 1000]);
  b.reset();
  t.equal(b.next(), 100);
  const low = new Backoff(100, 1000, () => 0);
  const high = new Backoff(100, 1000, () => 0.999999);
  t.equal(low.next(), 80);
  t.equal(high.next(), 120);
});

t.test('create() refuses what the schema cannot catch', async (t) => {
  await t.rejects(createAdapter({ r: { protocol: 'etcd', address: 'h', timeout: '0s' } }), { code: 'DGP_ERR_PLUGIN_CONFIG', message: /registries\.r\.timeout must be greater than 0/ });
});
