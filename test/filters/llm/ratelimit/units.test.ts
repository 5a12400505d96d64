// The rate limiter's pure parts: rules compiled (and refused) at load time, cells per scope, the token estimate and
// the cost of a usage under each count, OpenAI's Go-style reset durations and the binding rule's headers.
import t from 'tap';
import type { WorkerPoolApi } from '../../../../core/index.js';
import { NO_LIMITS, type Principal } from '../../../../core/llm/index.js';
import { validatePluginConfig } from '../../../../core/registry/index.js';
import manifest from '../../../../filters/llm/ratelimit/index.js';
import { costOf, outputCap, promptTokens } from '../../../../filters/llm/ratelimit/estimate.js';
import { decimal, goDuration, limitHeaders } from '../../../../filters/llm/ratelimit/headers.js';
import { CellCache, cellsOf, compileRules, keyLimitsRule, principalRules, type RequestFacts } from '../../../../filters/llm/ratelimit/rules.js';
import type { RateLimitConfig } from '../../../../filters/llm/ratelimit/schema.js';

const config = (raw: unknown): RateLimitConfig => {
  const { config: c, issues } = validatePluginConfig<RateLimitConfig>({ manifest }, raw);
  if (issues.length > 0) throw new Error(JSON.stringify(issues));
  return c as RateLimitConfig;
};
const principal = (over: Partial<Principal> = {}): Principal => ({
  key_id: 'k1', source: 'key', alias: null, team: 't1', user: null, end_user: 'e1', metadata: {}, models: [], routes: [], expires_at: null, blocked: false, budget_tier: null, limits: NO_LIMITS, ...over,
});
const facts = (over: Partial<RequestFacts> = {}): RequestFacts => ({ principal: principal(), model: 'gpt-4o-mini', route: 'r1', ip: '10.0.0.1', header: () => undefined, ...over });

t.test('compileRules: ids, periods, and the load-time errors', async (t) => {
  const rules = compileRules(config({ rules: [{ scope: 'key', requests: { per_second: 5, per_day: 100 }, tokens: { per_minute: 1000 } }, { scope: 'model', match: 'gpt-4o*', concurrency: 3 }] }));
  t.same(rules.map((r) => r.id), ['key', 'model[gpt-4o*]']);
  t.same(rules[0]!.rates.map((s) => `${s.dimension}/${s.period}/${s.limit}`), ['requests/second/5', 'requests/day/100', 'tokens/minute/1000']);
  t.throws(() => compileRules(config({ rules: [{ scope: 'ip' }] })), { code: 'DGP_ERR_RATELIMIT_CONFIG', message: /rules\[0\] \(ip\) sets none of requests, tokens, concurrency/ });
  t.throws(() => compileRules(config({ rules: [{ scope: 'ip', tokens: { count: 'input' } }] })), { message: /sets no per_minute/ });
  t.throws(() => compileRules(config({ rules: [{ scope: 'ip', concurrency: 1 }, { scope: 'ip', concurrency: 2 }] })), { message: /two rules have the id "ip"/ });
});

t.test('cellsOf: scopes read the principal, model, route, ip and headers; a missing value skips the rule', async (t) => {
  const rules = compileRules(
    config({
      rules: [
        { scope: 'key', requests: { per_minute: 1 } },
        { scope: 'team', concurrency: 2 },
        { scope: 'user', requests: { per_minute: 1 } },
        { scope: 'end_user', requests: { per_minute: 1 } },
        { scope: 'header:X-Tenant', requests: { per_minute: 1 } },
        { scope: 'model', match: ['claude-*'], requests: { per_minute: 1 } },
      ],
    }),
  );
  const cells = cellsOf(rules, facts({ header: (n) => (n === 'x-tenant' ? 'acme' : undefined) }), new CellCache([], 'tag'));
  t.same(cells.map((c) => c.key), ['rl:{tag}:key:requests:minute:k1', 'rl:{tag}:team:concurrency:t1', 'rl:{tag}:end_user:requests:minute:e1', 'rl:{tag}:header:x-tenant:requests:minute:acme']);
  t.equal(cellsOf(rules, facts({ principal: undefined, model: 'claude-3' }), new CellCache([], 'tag')).map((c) => c.rule.id).join(), 'model[claude-*]', 'no principal: only the model rule');
  const long = cellsOf(compileRules(config({ rules: [{ scope: 'header:x-a', requests: { per_minute: 1 } }] })), facts({ header: () => 'x y\u00e9'.repeat(100) }), new CellCache([], 'tag'));
  t.match(long[0]!.key, /^rl:\{tag\}:header:x-a:requests:minute:#[A-Za-z0-9_-]{32}$/, 'a long or non-printable value is hashed');
});

t.test('CellCache: a configured rule builds its cells once per subject, bounded; other rules are built each time', async (t) => {
  const rules = compileRules(config({ rules: [{ scope: 'ip', requests: { per_minute: 5 }, concurrency: 2 }] }));
  const cache = new CellCache(rules, 'tag', 2);
  const a = cellsOf(rules, facts({ ip: '10.0.0.1' }), cache);
  t.same(a.map((c) => c.key), ['rl:{tag}:ip:requests:minute:10.0.0.1', 'rl:{tag}:ip:concurrency:10.0.0.1']);
  t.equal(cellsOf(rules, facts({ ip: '10.0.0.1' }), cache)[0], a[0], 'the same subject: the same cells');
  t.not(cellsOf(rules, facts({ ip: '10.0.0.2' }), cache)[0], a[0], 'another subject: its own cells');
  cellsOf(rules, facts({ ip: '10.0.0.3' }), cache);
  const again = cellsOf(rules, facts({ ip: '10.0.0.1' }), cache);
  t.not(again[0], a[0], 'past maxSubjects the map starts over');
  t.same(again.map((c) => c.key), a.map((c) => c.key), 'with the same keys');
  const other = compileRules(config({ rules: [{ scope: 'ip', requests: { per_minute: 5 } }] }));
  t.not(cellsOf(other, facts({ ip: '10.0.0.1' }), cache)[0], cellsOf(other, facts({ ip: '10.0.0.1' }), cache)[0], 'a rule the cache was not built for');
});

t.test("keyLimitsRule: the key's rpm, tpm and max_parallel_requests", async (t) => {
  t.equal(keyLimitsRule(principal()), undefined);
  const r = keyLimitsRule(principal({ limits: { ...NO_LIMITS, rpm: 60, tpm: 1000, max_parallel_requests: 4 } }))!;
  t.same(r.rates.map((s) => `${s.dimension}/${s.period}/${s.limit}`), ['requests/minute/60', 'tokens/minute/1000']);
  t.equal(r.concurrency, 4);
  t.equal(r.scope, 'key');
});

t.test('principalRules: the key, its model patterns, its team and user; model rules compiled once per limits object', async (t) => {
  t.same(principalRules(principal()), []);
  const limits = { ...NO_LIMITS, rpm: 60, model_limits: { 'gpt-4o*': { rpm: 10, tpm: null }, 'o3': { rpm: null, tpm: 500 }, idle: { rpm: null, tpm: null } } };
  const p = principal({ limits, team_limits: { rpm: 100, tpm: null, max_parallel_requests: 5 }, user_limits: { rpm: null, tpm: 2000, max_parallel_requests: null } });
  const rules = principalRules(p);
  t.same(rules.map((r) => `${r.id}/${r.scope}`), ['key-limits/key', 'key-model[gpt-4o*]/key', 'key-model[o3]/key', 'team-limits/team', 'user-limits/user'], 'a pattern without rates makes no rule');
  t.ok(rules[1]!.matches!('gpt-4o-mini') && !rules[1]!.matches!('gpt-3.5-turbo'));
  t.ok(rules[2]!.matches!('o3') && !rules[2]!.matches!('o3-mini'), 'an exact name is exact');
  t.same(rules[2]!.rates.map((s) => `${s.dimension}/${s.limit}`), ['tokens/500']);
  t.equal(rules[3]!.concurrency, 5);
  t.equal(principalRules({ ...p, end_user: 'other' })[1], rules[1], 'the same limits object: the compiled rule is reused');
  const cells = cellsOf(rules, facts({ principal: p, model: 'gpt-4o' }), new CellCache([], 'tag'));
  t.same(cells.map((c) => c.key), [
    'rl:{tag}:key-limits:requests:minute:k1', 'rl:{tag}:key-model[gpt-4o*]:requests:minute:k1', 'rl:{tag}:team-limits:requests:minute:t1',
    'rl:{tag}:team-limits:concurrency:t1',
  ], 'the o3 rule does not count gpt-4o; the user rule has no user to count');
});

t.test('estimate: output cap in every API spelling; prompt locally or in the pool (with a fallback)', async (t) => {
  t.equal(outputCap({ max_tokens: 100 }), 100);
  t.equal(outputCap({ max_completion_tokens: 50, max_tokens: 100 }), 50);
  t.equal(outputCap({ max_output_tokens: 70 }), 70);
  t.equal(outputCap({ generationConfig: { maxOutputTokens: 30 } }), 30);
  t.equal(outputCap({ max_tokens: -1 }), undefined);
  const pool = (impl: (task: string) => Promise<unknown>): WorkerPoolApi => ({ threads: 1, run: (task) => impl(task) as never });
  const body = { system: 'be brief', messages: [{ role: 'user', content: [{ type: 'text', text: 'x'.repeat(400) }] }] };
  const local = await promptTokens(body, 500, pool(async () => ({ count: 1 })), 4096, undefined);
  t.equal(local, Math.ceil((6 + 8 + 4 + 4 + 400) / 4) + 3 * 2 + 3, 'bytes / 4 + framing under tokenize_above_bytes');
  t.equal(await promptTokens(body, 5000, pool(async (task) => ({ count: task === 'countChatTokens' ? 123 : 0 })), 4096, 'gpt-4o'), 123, 'the pool counts large prompts');
  t.equal(await promptTokens(body, 5000, pool(async () => Promise.reject(new Error('queue full'))), 4096, 'gpt-4o'), local, 'pool failure: the local estimate');
  t.equal(await promptTokens({ prompt: 'abcdefgh' }, 10, pool(async () => ({})), 4096, undefined), 2);
  t.equal(await promptTokens({ contents: [{ role: 'user', parts: [{ text: 'abcd' }] }] }, 10, pool(async () => ({})), 4096, undefined), 1 + 1 + 3 + 3);
});

t.test('costOf: total, input, output, and weights over disjoint token kinds (rounded up)', async (t) => {
  const u = { input: 1000, output: 200, cache_read: 600, cache_write: 100 };
  t.equal(costOf('total', u), 1200);
  t.equal(costOf('input', u), 1000);
  t.equal(costOf('output', u), 200);
  t.equal(costOf({ input: 1, cache_read: 0.1, cache_write: 1.25, output: 4 }, u), 300 + 60 + 125 + 800);
  t.equal(costOf({ input: 0.001, cache_read: 0, cache_write: 0, output: 0 }, { input: 1, output: 0, cache_read: 0, cache_write: 0 }), 1, 'any fraction of a token costs a whole one');
});

t.test('decimal writes every integer as String() does, above 2^31 too', async (t) => {
  const edges = [0, 1, 2 ** 31 - 1, 2 ** 31, 1e9, 1e9 - 1, 1e12, 1e12 - 1, 1_000_000_000_007, 2 ** 53 - 1, -5, 1.5, -(2 ** 40)];
  for (const n of edges) t.equal(decimal(n), String(n), `${n}`);
  let wrong = 0;
  for (let i = 0; i < 5000; i++) {
    const n = Math.floor(Math.random() * 2 ** (31 + Math.random() * 22));
    if (decimal(n) !== String(n)) wrong++;
  }
  t.equal(wrong, 0, '5,000 random integers between 2^31 and 2^53');
});

t.test('goDuration and the binding rule in each API family', async (t) => {
  t.same(['250ms', '1.5s', '6m0s', '1m30.25s', '1h2m3s', '0ms'], [goDuration(250), goDuration(1500), goDuration(360_000), goDuration(90_250), goDuration(3_723_000), goDuration(0)]);
  const rules = compileRules(config({ rules: [{ id: 'a', scope: 'key', requests: { per_minute: 100, per_day: 1000 }, tokens: { per_minute: 5000, count: 'output' } }] }));
  const cells = cellsOf(rules, facts(), new CellCache([], 'x'));
  const states = [{ remaining: 40, resetMs: 36_000 }, { remaining: 30, resetMs: 60_000_000 }, { remaining: 4000, resetMs: 12_000 }].map((state, i) => ({ cell: cells[i]!, state }));
  t.same(limitHeaders('openai', states, 1, 0), {
    'x-ratelimit-limit-requests': '1000', 'x-ratelimit-remaining-requests': '30', 'x-ratelimit-reset-requests': '16h40m0s',
    'x-ratelimit-limit-tokens': '5000', 'x-ratelimit-remaining-tokens': '4000', 'x-ratelimit-reset-tokens': '12s',
  }, 'the cell with the least left binds');
  t.same(limitHeaders('openai', states, 1, 0, cells[0]), { ...limitHeaders('openai', states, 1, 0), 'x-ratelimit-limit-requests': '100', 'x-ratelimit-remaining-requests': '40', 'x-ratelimit-reset-requests': '36s' }, 'a refusing cell binds its family');
  t.same(limitHeaders('anthropic', states, 4, Date.UTC(2026, 0, 1)), {
    'anthropic-ratelimit-requests-limit': '250', 'anthropic-ratelimit-requests-remaining': '30', 'anthropic-ratelimit-requests-reset': '2026-01-01T16:40:00Z',
    'anthropic-ratelimit-output-tokens-limit': '1250', 'anthropic-ratelimit-output-tokens-remaining': '4000', 'anthropic-ratelimit-output-tokens-reset': '2026-01-01T00:00:12Z',
  }, 'count: output is the output-tokens family; limits are the local share under on_store_error: local');
  t.same(limitHeaders('gemini', states, 1, 0), {});
});
