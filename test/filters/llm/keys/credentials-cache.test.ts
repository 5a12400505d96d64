// The key as each SDK sends it and its removal (headers and the `key` query parameter, other parameters byte for
// byte), and the lookup cache: TTL, negative TTL, LRU bound, one store call for concurrent lookups of one key.
import t from 'tap';
import type { KeyRecord } from '../../../../core/llm/index.js';
import { looksLikeJwt, presentedKey, stripCredentials } from '../../../../filters/llm/keys/credentials.js';
import { KeyCache } from '../../../../filters/llm/keys/key-cache.js';
import { testContext } from '../../../helpers/request-context.js';

t.test('presentedKey reads each SDK header, then ?key=; stripCredentials removes them all', async (t) => {
  t.equal(presentedKey(testContext({ headers: { authorization: 'Bearer sk-a' } })), 'sk-a');
  t.equal(presentedKey(testContext({ headers: { authorization: 'Basic dXNlcjpwdw==' } })), undefined, 'not a bearer token: no key');
  t.equal(presentedKey(testContext({ headers: { 'x-api-key': 'sk-b' } })), 'sk-b');
  t.equal(presentedKey(testContext({ headers: { 'x-goog-api-key': 'sk-c' } })), 'sk-c');
  t.equal(presentedKey(testContext({ url: '/v1beta/models/g:generateContent?alt=sse&key=sk-d' })), 'sk-d');
  t.equal(presentedKey(testContext({ url: '/v1/chat/completions?monkey=1' })), undefined, 'only the exact key parameter');

  const ctx = testContext({
    url: '/v1beta/models/g:streamGenerateContent?alt=sse&key=sk-d&x=a%20b',
    headers: { authorization: 'Bearer sk-a', 'x-api-key': 'sk-b', 'x-goog-api-key': 'sk-c', 'api-key': 'sk-e', 'x-other': 'kept' },
  });
  stripCredentials(ctx);
  for (const h of ['authorization', 'x-api-key', 'x-goog-api-key', 'api-key']) t.equal(ctx.request.headers[h], undefined, `${h} removed`);
  t.equal(ctx.request.headers['x-other'], 'kept');
  t.notOk(Object.values(ctx.request.headers).some((v) => String(v).includes('sk-')), 'no header value carries a key any more');
  t.equal(ctx.request.query, 'alt=sse&x=a%20b', 'the other parameters keep their bytes');
  t.equal(ctx.request.url, '/v1beta/models/g:streamGenerateContent?alt=sse&x=a%20b');
  const only = testContext({ url: '/v1beta/models/g:generateContent?key=sk-d' });
  stripCredentials(only);
  t.equal(only.request.url, '/v1beta/models/g:generateContent');

  t.ok(looksLikeJwt('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln'));
  t.notOk(looksLikeJwt('sk-dgp-abc'));
});

t.test('KeyCache: positive and negative TTL, LRU bound, coalesced lookups', async (t) => {
  let now = 0;
  const calls: string[] = [];
  const record = { id: 'k' } as KeyRecord;
  const cache = new KeyCache(
    async (hash) => {
      calls.push(hash);
      return hash.startsWith('known') ? record : undefined;
    },
    { ttlMs: 5000, negativeTtlMs: 1000, maxEntries: 2, now: () => now },
  );
  const miss = cache.get('known-1');
  t.equal(miss.hit, false);
  const again = cache.get('known-1');
  t.equal(again.hit, false);
  if (!miss.hit && !again.hit) {
    t.equal(miss.pending, again.pending, 'one store call for concurrent lookups');
    t.equal(await miss.pending, record);
  }
  t.same(calls, ['known-1']);
  t.same(cache.get('known-1'), { hit: true, record }, 'a hit needs no store call');
  now = 4999;
  t.equal(cache.get('known-1').hit, true);
  now = 5000;
  t.equal(cache.get('known-1').hit, false, 'expired after ttlMs');

  const unknown = cache.get('nope');
  if (!unknown.hit) t.equal(await unknown.pending, undefined);
  t.same(cache.get('nope'), { hit: true, record: undefined }, 'an unknown key is remembered');
  now += 1000;
  t.equal(cache.get('nope').hit, false, '...for negativeTtlMs');

  await Promise.resolve();
  const c2 = new KeyCache(async () => record, { ttlMs: 1000, negativeTtlMs: 1000, maxEntries: 2, now: () => now });
  for (const h of ['a', 'b']) {
    const r = c2.get(h);
    if (!r.hit) await r.pending;
  }
  c2.get('a');
  const r = c2.get('c');
  if (!r.hit) await r.pending;
  t.equal(c2.size, 2);
  t.equal(c2.get('a').hit, true, 'the recently used key stays');
  t.equal(c2.get('b').hit, false, 'the least recently used key went');
  c2.invalidate('a');
  t.equal(c2.get('a').hit, false, 'invalidate drops a key at once');
});
