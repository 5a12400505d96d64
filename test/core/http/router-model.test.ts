// Model matchers on routes (match.model): exact names and `*` patterns against the model a filter supplies; ANY_MODEL
// (the model not read yet) tells the connection manager whether the model can change the answer at all.
import t from 'tap';
import { ANY_MODEL, Router, type RouteSpec } from '../../../core/http/router.js';

type Match = Partial<RouteSpec['match']>;
const route = (id: string, match: Match): RouteSpec => ({
  id,
  match: { prefix: '', path: '', regex: '', methods: [], headers: [], ...match },
  route: { cluster: id, cluster_not_found_response_code: 503 },
});

t.test('exact names and * patterns, in declaration order; a route without model takes any', async (t) => {
  const r = new Router(
    [
      route('claude', { prefix: '/v1', model: ['claude-*', 'sonnet'] }),
      route('gpt', { prefix: '/v1', model: ['gpt-4o'] }),
      route('rest', { prefix: '/v1' }),
    ],
    'l',
  );
  t.equal(r.usesModel, true);
  const id = (model: string | undefined) => r.match('POST', '/v1/chat/completions', {}, model)?.route.id;
  t.equal(id('claude-sonnet-4-5'), 'claude', 'pattern');
  t.equal(id('sonnet'), 'claude', 'exact alias');
  t.equal(id('gpt-4o'), 'gpt');
  t.equal(id('gpt-4o-mini'), 'rest', 'exact names are not prefixes');
  t.equal(id(undefined), 'rest', 'no model: only routes without a model matcher');
  t.equal(r.match('POST', '/v1/chat/completions', {}, ANY_MODEL)?.route.id, 'claude', 'model unknown: the first route that could match');
  t.equal(r.match('POST', '/other', {}, 'gpt-4o'), undefined, 'the path still has to match');
});

t.test('a model route after a plain one on the same path never needs the model', async (t) => {
  const r = new Router([route('all', { prefix: '/' }), route('never', { prefix: '/', model: ['x'] })], 'l');
  const first = r.match('POST', '/v1/messages', {});
  t.equal(first?.route.id, 'all');
  t.equal(first?.route.model, undefined, 'the connection manager reads no body');
});

t.test('model-only routes (no path) are tried first, like header-only routes; headers and model combine', async (t) => {
  const r = new Router(
    [
      route('by-path', { path: '/v1/chat/completions' }),
      route('premium', { model: ['gpt-5*'], headers: [{ name: 'x-tier', values: ['gold'], regex: false }] }),
      route('gpt5', { model: ['gpt-5*'] }),
    ],
    'l',
  );
  t.equal(r.match('POST', '/v1/chat/completions', { 'x-tier': 'gold' }, 'gpt-5')?.route.id, 'premium');
  t.equal(r.match('POST', '/v1/chat/completions', {}, 'gpt-5')?.route.id, 'gpt5');
  t.equal(r.match('POST', '/v1/chat/completions', {}, 'gpt-4o')?.route.id, 'by-path');
});

t.test('pattern characters other than * are literal', async (t) => {
  const r = new Router([route('dot', { prefix: '/', model: ['a.b*'] }), route('rest', { prefix: '/' })], 'l');
  t.equal(r.match('POST', '/', {}, 'a.b-1')?.route.id, 'dot');
  t.equal(r.match('POST', '/', {}, 'axb-1')?.route.id, 'rest');
});
