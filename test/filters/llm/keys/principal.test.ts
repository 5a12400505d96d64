// The model allow-list matcher and the principal of a stored key.
import t from 'tap';
import { compileModelMatcher, principalOfKey } from '../../../../filters/llm/keys/principal.js';

t.test('exact names and * globs; an empty list or * allows every model', async (t) => {
  const m = compileModelMatcher(['gpt-4o-mini', 'claude-*', '*-instruct', 'meta/*/70b']);
  t.ok(m('gpt-4o-mini'));
  t.notOk(m('gpt-4o'), 'exact means exact');
  t.notOk(m('gpt-4o-mini-2024'));
  t.ok(m('claude-3-5-sonnet'));
  t.ok(m('claude-'));
  t.notOk(m('xclaude-3'), 'globs are anchored');
  t.ok(m('llama-instruct'));
  t.ok(m('meta/llama-3/70b'));
  t.notOk(m('meta/llama-3/8b'));
  t.ok(compileModelMatcher([])('anything'));
  t.ok(compileModelMatcher(['*'])('anything'));
  t.notOk(compileModelMatcher(['a.b'])('axb'), 'regex characters are literal');
  t.ok(compileModelMatcher(['a.b*'])('a.b-1'));
  t.notOk(compileModelMatcher(['a.b*'])('axb-1'));
  t.notOk(compileModelMatcher(['gpt-4o'])('gpt-4o\n'), 'no trailing newline sneaks past the anchor');
});

t.test('a key record becomes a principal with its limits', async (t) => {
  const p = principalOfKey({
    id: 'k1', hash: 'h', display_prefix: 'sk-dgp-Ab3d…', alias: 'team-a', team_id: 'a', user_id: 'u', models: ['x'],
    routes: ['chat'], metadata: { env: 'prod' }, expires_at: 5, blocked: true, max_budget_nanos: 10, budget_duration: '1d',
    soft_budget_nanos: 8, rpm: 600, tpm: 2000, max_parallel_requests: 2, model_budgets: {}, created_at: 1, updated_at: 2,
    priority: 7, model_limits: { 'gpt-4o*': { rpm: 10, tpm: null } },
  });
  t.same(p, {
    key_id: 'k1', source: 'key', alias: 'team-a', team: 'a', user: 'u', end_user: null, metadata: { env: 'prod' },
    models: ['x'], routes: ['chat'], expires_at: 5, blocked: true, budget_tier: null, priority: 7,
    limits: {
      max_budget_nanos: 10, budget_duration: '1d', soft_budget_nanos: 8, rpm: 600, tpm: 2000, max_parallel_requests: 2, model_budgets: {}, fallback_model: null,
      model_limits: { 'gpt-4o*': { rpm: 10, tpm: null } },
    },
  });
  t.notOk('hash' in p, 'the principal carries no key material');
  const fb = principalOfKey({
    id: 'k2', hash: 'h2', display_prefix: 'sk-dgp-x…', alias: null, team_id: null, user_id: null, models: [], routes: [],
    metadata: { on_exhaust: { fallback_model: 'gpt-4o-mini' } }, expires_at: null, blocked: false, max_budget_nanos: null,
    budget_duration: null, soft_budget_nanos: null, rpm: null, tpm: null, max_parallel_requests: null, model_budgets: {}, created_at: 1, updated_at: 1,
    priority: null, model_limits: {},
  });
  t.notOk('priority' in fb, 'no priority: none on the principal (the admission default applies)');
  t.notOk('model_limits' in fb.limits);
  t.equal(fb.limits.fallback_model, 'gpt-4o-mini', "a stored key's on_exhaust comes from its metadata");
});
