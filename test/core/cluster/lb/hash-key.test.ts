// What consistent hashing keys on (consistent.hash_on) and the stable hash it uses.
import t from 'tap';
import { nodeKeys, requestHashKey, stableHash32 } from '../../../../core/cluster/lb/hash-key.js';
import { DEFAULT_CONSISTENT, type ConsistentSpec } from '../../../../core/cluster/types.js';
import type { EndpointView } from '../../../../core/cluster-api.js';
import { src } from '../fixtures.js';

const on = (hash_on: ConsistentSpec['hash_on'], hash_key = ''): ConsistentSpec => ({ ...DEFAULT_CONSISTENT, hash_on, hash_key });

t.test('stableHash32 is gost hash(): low 32 bits of blake2b-512, LE (values checked with Python hashlib)', async (t) => {
  t.equal(stableHash32('POST./v1/chat/completions'), 3985922326);
  t.equal(stableHash32('0127.0.0.1:9001'), 844118442);
  t.equal(stableHash32(''), 4144130680);
});

t.test('method_uri (default): Pixiu GenerateHash, path and query', async (t) => {
  t.equal(requestHashKey(DEFAULT_CONSISTENT, src('POST', '/v1/chat/completions?a=1')), 'POST./v1/chat/completions?a=1');
});

t.test('path: the request path without the query', async (t) => {
  t.equal(requestHashKey(on('path'), src('POST', '/v1/chat/completions?a=1')), '/v1/chat/completions');
  t.equal(requestHashKey(on('path'), src('GET', '/models')), '/models');
});

t.test('header: the named header (case-insensitive), else method_uri', async (t) => {
  const c = on('header', 'X-User');
  t.equal(requestHashKey(c, src('POST', '/v1', { 'x-user': 'alice' })), 'alice');
  t.equal(requestHashKey(c, src('POST', '/v1', { 'x-user': ['a', 'b'] })), 'a,b');
  t.equal(requestHashKey(c, src('POST', '/v1', {})), 'POST./v1');
  t.equal(requestHashKey(c, src('POST', '/v1', { 'x-user': '' })), 'POST./v1');
});

t.test('body: a top-level JSON field, else method_uri', async (t) => {
  const c = on('body', 'user');
  t.equal(requestHashKey(c, src('POST', '/v1', {}, { user: 'bob', model: 'm' })), 'bob');
  t.equal(requestHashKey(c, src('POST', '/v1', {}, { user: 42 })), '42');
  t.equal(requestHashKey(c, src('POST', '/v1', {}, { user: { org: 'x' } })), '{"org":"x"}');
  t.equal(requestHashKey(c, src('POST', '/v1', {}, { model: 'm' })), 'POST./v1');
  t.equal(requestHashKey(c, src('POST', '/v1', {}, undefined)), 'POST./v1');
  t.equal(requestHashKey(c, src('POST', '/v1', {}, ['user'])), 'POST./v1');
  t.equal(requestHashKey(c, src('POST', '/v1', {}, { user: null })), 'POST./v1');
});

t.test('node identity is the host; endpoints sharing a host are told apart by id', async (t) => {
  const v = (id: string, host: string) => ({ id, host }) as EndpointView;
  const all = [v('a', '0.0.0.0:8881'), v('b', '0.0.0.0:8881'), v('c', '10.0.0.1:80')];
  t.same(nodeKeys(all, all), ['0.0.0.0:8881#a', '0.0.0.0:8881#b', '10.0.0.1:80']);
  t.same(nodeKeys([all[1], all[2]], all), ['0.0.0.0:8881#b', '10.0.0.1:80'], 'decided over all endpoints, not the healthy ones');
});
