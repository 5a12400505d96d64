// Pixiu's route-matching rules (spec §2.4) plus our regex paths and header matchers on path routes.
import t from 'tap';
import { Router, type RouteSpec } from '../../../core/http/router.js';

type Match = Partial<RouteSpec['match']>;
const route = (id: string, match: Match, cluster = id): RouteSpec => ({
  id,
  match: { prefix: '', path: '', regex: '', methods: [], headers: [], ...match },
  route: { cluster, cluster_not_found_response_code: 503 },
});
const pick = (r: Router, method: string, path: string, headers: Record<string, string> = {}) => r.match(method, path, headers);
const id = (r: Router, method: string, path: string, headers: Record<string, string> = {}) => pick(r, method, path, headers)?.route.id;

t.test('prefix matches segment-wise: itself and below, not siblings', async (t) => {
  const r = new Router([route('chat', { prefix: '/v1/chat' })], 'l');
  t.equal(id(r, 'POST', '/v1/chat'), 'chat');
  t.equal(id(r, 'POST', '/v1/chat/completions'), 'chat');
  t.equal(id(r, 'POST', '/v1/chat/'), 'chat');
  t.equal(id(r, 'POST', '/v1/chatx'), undefined);
  t.equal(id(r, 'POST', '/v1'), undefined);
});

t.test('prefix "/" matches everything; the longest prefix wins', async (t) => {
  const r = new Router([route('all', { prefix: '/' }), route('v1', { prefix: '/v1' }), route('deep', { prefix: '/v1/chat' })], 'l');
  t.equal(id(r, 'GET', '/anything/at/all'), 'all');
  t.equal(id(r, 'GET', '/v1/models'), 'v1');
  t.equal(id(r, 'GET', '/v1/chat/completions'), 'deep');
});

t.test('exact path beats :var, which beats prefix; params are captured', async (t) => {
  const r = new Router(
    [
      route('prefix', { prefix: '/v1/models' }),
      route('param', { path: '/v1/models/:model' }),
      route('exact', { path: '/v1/models/gpt-4o' }),
      route('star', { path: '/v1/files/*/content' }),
    ],
    'l',
  );
  t.equal(id(r, 'GET', '/v1/models/gpt-4o'), 'exact');
  const m = pick(r, 'GET', '/v1/models/llama-3');
  t.equal(m?.route.id, 'param');
  t.same(m?.params, { model: 'llama-3' });
  t.equal(id(r, 'GET', '/v1/models/llama-3/extra'), 'prefix');
  t.equal(id(r, 'GET', '/v1/models'), 'prefix');
  t.same(pick(r, 'GET', '/v1/files/f-1/content')?.params, { '*': 'f-1' });
});

t.test('exact path does not match longer paths; the query string is ignored by the caller', async (t) => {
  const r = new Router([route('p', { path: '/v1/chat/completions' })], 'l');
  t.equal(id(r, 'POST', '/v1/chat/completions'), 'p');
  t.equal(id(r, 'POST', '/v1/chat/completions/x'), undefined);
});

t.test('methods: default set, explicit list, "*" as fallback for any method', async (t) => {
  const r = new Router(
    [route('post', { path: '/a', methods: ['POST'] }), route('any', { path: '/a', methods: ['*'] }), route('dflt', { path: '/b' })],
    'l',
  );
  t.equal(id(r, 'POST', '/a'), 'post');
  t.equal(id(r, 'GET', '/a'), 'any', 'the "*" trie is consulted after the method trie');
  t.equal(id(r, 'PURGE', '/a'), 'any');
  t.equal(id(r, 'GET', '/b'), 'dflt');
  t.equal(id(r, 'HEAD', '/b'), 'dflt');
  t.equal(id(r, 'PURGE', '/b'), undefined, 'PURGE is not in the default method set');
});

t.test('header-only routes come first, in declaration order, exact and regex', async (t) => {
  const r = new Router(
    [
      route('path', { prefix: '/' }),
      route('h-exact', { headers: [{ name: 'X-Model', values: ['gpt-4o', 'gpt-4.1'], regex: false }] }),
      route('h-regex', { headers: [{ name: 'x-model', values: ['^claude-'], regex: true }] }),
      route('h-both', { headers: [{ name: 'x-a', values: ['1'], regex: false }, { name: 'x-b', values: ['2'], regex: false }] }),
      route('h-post', { methods: ['POST'], headers: [{ name: 'x-only-post', values: ['y'], regex: false }] }),
    ],
    'l',
  );
  t.equal(id(r, 'POST', '/v1/x', { 'x-model': 'gpt-4.1' }), 'h-exact');
  t.equal(id(r, 'POST', '/v1/x', { 'x-model': 'claude-3-5' }), 'h-regex');
  t.equal(id(r, 'POST', '/v1/x', { 'x-model': 'llama' }), 'path');
  t.equal(id(r, 'POST', '/v1/x', { 'x-a': '1' }), 'path', 'every header matcher must match');
  t.equal(id(r, 'POST', '/v1/x', { 'x-a': '1', 'x-b': '2' }), 'h-both');
  t.equal(id(r, 'POST', '/v1/x', { 'x-model': '' }), 'path', 'an empty header never matches');
  t.equal(id(r, 'POST', '/v1/x', { 'x-only-post': 'y' }), 'h-post');
  t.equal(id(r, 'GET', '/v1/x', { 'x-only-post': 'y' }), 'path');
});

t.test('first duplicate wins', async (t) => {
  const r = new Router([route('first', { path: '/dup' }, 'c1'), route('second', { path: '/dup' }, 'c2')], 'l');
  t.equal(pick(r, 'GET', '/dup')?.route.cluster, 'c1');
  const p = new Router([route('first', { prefix: '/p' }, 'c1'), route('second', { prefix: '/p' }, 'c2')], 'l');
  t.equal(pick(p, 'GET', '/p/x')?.route.cluster, 'c1');
});

t.test('header matchers on path routes select between otherwise identical routes (our addition)', async (t) => {
  const r = new Router(
    [
      route('claude', { path: '/v1/chat/completions', headers: [{ name: 'x-model-family', values: ['claude'], regex: false }] }),
      route('default', { path: '/v1/chat/completions' }),
    ],
    'l',
  );
  t.equal(id(r, 'POST', '/v1/chat/completions', { 'x-model-family': 'claude' }), 'claude');
  t.equal(id(r, 'POST', '/v1/chat/completions'), 'default');
});

t.test('regex paths: after exact and param matches, before prefixes', async (t) => {
  const r = new Router(
    [
      route('all', { prefix: '/' }),
      route('gemini', { regex: '^/v1beta/models/[^/]+:(stream)?[gG]enerateContent$' }),
      route('exact', { path: '/v1beta/models/special:generateContent' }),
    ],
    'l',
  );
  t.equal(id(r, 'POST', '/v1beta/models/gemini-2.0-flash:streamGenerateContent'), 'gemini');
  t.equal(id(r, 'POST', '/v1beta/models/special:generateContent'), 'exact');
  t.equal(id(r, 'POST', '/v1beta/other'), 'all');
});

t.test('route ids default to <listener>#<index>', async (t) => {
  const r = new Router([route('', { prefix: '/' })], 'main');
  t.equal(id(r, 'GET', '/'), 'main#0');
});

t.test('repeated matches give the same answers as the first (the per-path cache), params never shared', async (t) => {
  const r = new Router([route('chat', { prefix: '/v1/chat' }), route('user', { path: '/users/:id' }), route('exact', { path: '/v1/models' })], 'l');
  for (let i = 0; i < 3; i++) {
    t.equal(r.match('POST', '/v1/chat/completions', {})?.route.id, 'chat');
    t.equal(r.match('POST', '/nowhere', {}), undefined, 'a miss stays a miss');
    t.equal(r.match('GET', '/v1/models', {})?.route.id, 'exact');
    t.same(r.match('GET', `/users/${i}`, {})?.params, { id: String(i) }, 'each path its own params');
  }
  const a = r.match('GET', '/users/7', {});
  const b = r.match('GET', '/users/7', {});
  t.not(a?.params, b?.params, 'param matches are computed each time');
  t.equal(r.match('DELETE', '/v1/chat/x', {})?.route.id, 'chat', 'per method');
  t.ok(Object.isFrozen(r.match('POST', '/v1/chat/completions', {})), 'a cached match cannot be changed by a caller');
  for (let i = 0; i < 3000; i++) r.match('POST', `/v1/chat/${i}`, {});
  t.equal(r.match('POST', '/v1/chat/completions', {})?.route.id, 'chat', 'still right after the cache was cleared');
});

t.test('with header matchers every request is matched afresh', async (t) => {
  const r = new Router([route('h', { prefix: '/v1', headers: [{ name: 'x-tenant', values: ['a'], regex: false }] }), route('any', { prefix: '/v1' })], 'l');
  t.equal(r.match('POST', '/v1/chat', { 'x-tenant': 'a' })?.route.id, 'h');
  t.equal(r.match('POST', '/v1/chat', { 'x-tenant': 'b' })?.route.id, 'any');
  t.equal(r.match('POST', '/v1/chat', { 'x-tenant': 'a' })?.route.id, 'h');
});
