// Pixiu's config_test.go (spec §6.4) ported: Validate only when enabled, its messages, ApplyDefaults (<= 0 → default)
// and explicit values kept; plus what the host reports through the schema (field pointers, DGP_ERR_PLUGIN_CONFIG).
import t from 'tap';
import { isDgpError } from '../../../../core/index.js';
import { pluginConfigError, validatePluginConfig } from '../../../../core/registry/index.js';
import manifest from '../../../../filters/ai/kvcache/index.js';
import { resolveKvcacheOptions, validateKvcacheConfig } from '../../../../filters/ai/kvcache/options.js';
import type { KvcacheConfig } from '../../../../filters/ai/kvcache/schema.js';

const base: KvcacheConfig = { enabled: true, vllm_endpoint: 'http://vllm:8000', lmcache_endpoint: 'http://lmcache:9000' };
const validate = (c: KvcacheConfig) => validateKvcacheConfig(c).join('; ');

t.test('TestConfig_ValidateDisabled: a disabled config is always valid', async (t) => {
  t.same(validateKvcacheConfig({ enabled: false, token_cache: { max_size: -1 }, retry: { max_attempts: -5 } }), []);
});

t.test('ValidateMissingVLLMEndpoint / ValidateMissingLMCacheEndpoint', async (t) => {
  t.match(validate({ ...base, vllm_endpoint: '  ' }), /vllm_endpoint is required/);
  t.match(validate({ ...base, lmcache_endpoint: '' }), /lmcache_endpoint is required/);
  t.same(validateKvcacheConfig({ enabled: true, lmcache_endpoint: 'http://l:1', tokenize: 'local' }), [], 'tokenize: local needs no vLLM');
  t.same(validateKvcacheConfig({ enabled: true, mode: 'prefix' }), [], 'mode: prefix needs neither');
});

t.test('the Validate checks and their messages', async (t) => {
  t.match(validate({ ...base, token_cache: { max_size: -1 } }), /max_size must be >= 0/);
  t.match(validate({ ...base, cache_strategy: { memory_threshold: -0.1 } }), /memory_threshold must be between 0 and 1/);
  t.match(validate({ ...base, cache_strategy: { memory_threshold: 1.5 } }), /memory_threshold must be between 0 and 1/);
  t.match(validate({ ...base, cache_strategy: { load_threshold: -0.5 } }), /load_threshold must be between 0 and 1/);
  t.match(validate({ ...base, cache_strategy: { hot_content_threshold: -1 } }), /hot_content_threshold must be >= 0/);
  t.match(validate({ ...base, retry: { max_attempts: -1 } }), /max_attempts must be >= 0/);
  t.match(validate({ ...base, retry: { base_backoff: -1 } }), /backoff durations must be >= 0/);
  t.match(validate({ ...base, retry: { max_backoff: '-2s' } }), /backoff durations must be >= 0/);
  t.same(validateKvcacheConfig(base), [], 'ValidateSuccess');
  const err = (() => {
    try {
      resolveKvcacheOptions({ ...base, token_cache: { max_size: -1 }, retry: { max_attempts: -1 } }, '/');
    } catch (e) {
      return e;
    }
  })();
  t.ok(isDgpError(err) && err.code === 'DGP_ERR_PLUGIN_CONFIG', 'create() refuses it with DGP_ERR_PLUGIN_CONFIG');
  t.match((err as Error).message, /max_size must be >= 0; .*max_attempts must be >= 0/, 'every problem at once');
});

t.test('ApplyDefaults: 2s, 50ms, 3, 100ms, 2s and the rest of Pixiu defaults', async (t) => {
  const o = resolveKvcacheOptions(base, '/');
  t.match(o, {
    mode: 'lmcache',
    tokenize: 'vllm',
    requestTimeoutMs: 2000,
    lookupTimeoutMs: 50,
    hotWindowMs: 300_000,
    hotMaxRecords: 300,
    hotMaxKeys: 0,
    retry: { maxAttempts: 3, baseBackoffMs: 100, maxBackoffMs: 2000 },
    breaker: { failureThreshold: 5, recoveryTimeoutMs: 10_000, halfOpenMaxCalls: 2 },
    tokenCache: { enabled: false, maxSize: 0, ttlMs: 0 },
    strategy: { compressMethod: 'zstd', evictApi: 'evict', evictLocation: 'LocalCPUBackend' },
  });
  t.equal(o.vllmEndpoint, 'http://vllm:8000');
  const zero = resolveKvcacheOptions({ ...base, request_timeout: 0, lookup_routing_timeout: '-1ms', hot_window: 0, hot_max_records: 0, retry: { max_attempts: 0, base_backoff: 0, max_backoff: '0' }, circuit_breaker: { failure_threshold: -1, recovery_timeout: '-5s', half_open_max_calls: 0 } }, '/');
  t.match(zero, { requestTimeoutMs: 2000, lookupTimeoutMs: 50, hotWindowMs: 300_000, hotMaxRecords: 300, retry: { maxAttempts: 3, baseBackoffMs: 100, maxBackoffMs: 2000 }, breaker: { failureThreshold: 5, recoveryTimeoutMs: 10_000, halfOpenMaxCalls: 2 } }, 'values <= 0 take the default (Pixiu)');
});

t.test('ApplyDefaultsDoesNotOverride: explicit values are kept', async (t) => {
  const o = resolveKvcacheOptions({ ...base, vllm_endpoint: 'http://v:1/', request_timeout: '5s', lookup_routing_timeout: '100ms', hot_window: '1m', hot_max_records: 7, retry: { max_attempts: 5, base_backoff: '10ms', max_backoff: '1s' }, circuit_breaker: { failure_threshold: 2, recovery_timeout: 150, half_open_max_calls: 1 }, cache_strategy: { compress_method: 'lz4' } }, '/');
  t.match(o, { vllmEndpoint: 'http://v:1', requestTimeoutMs: 5000, lookupTimeoutMs: 100, hotWindowMs: 60_000, hotMaxRecords: 7, retry: { maxAttempts: 5, baseBackoffMs: 10, maxBackoffMs: 1000 }, breaker: { failureThreshold: 2, recoveryTimeoutMs: 150, halfOpenMaxCalls: 1 }, strategy: { compressMethod: 'lz4' } });
});

t.test('through the schema: each mistake at its pointer, with defaults applied', async (t) => {
  const entry = { manifest, kind: manifest.kind };
  const issuesOf = (raw: unknown) => validatePluginConfig(entry, raw).issues;
  t.same(
    issuesOf({ enabled: true }).map((i) => [i.pointer, i.message]),
    [
      ['/lmcache_endpoint', 'missing required field "lmcache_endpoint"'],
      ['/vllm_endpoint', 'missing required field "vllm_endpoint"'],
    ],
  );
  t.same(issuesOf({ enabled: true, tokenize: 'local' }).map((i) => i.pointer), ['/lmcache_endpoint']);
  t.same(issuesOf({ enabled: true, mode: 'prefix' }), []);
  const bad = issuesOf({ hot_window: '-1s', token_cache: { max_size: -2 }, cache_strategy: { memory_threshold: 2 }, retry: { max_attempts: -1 } });
  t.same(bad.map((i) => i.pointer).sort(), ['/cache_strategy/memory_threshold', '/hot_window', '/retry/max_attempts', '/token_cache/max_size']);
  t.equal(pluginConfigError(entry, bad).code, 'DGP_ERR_PLUGIN_CONFIG');
  t.same(issuesOf({ circuit_breaker: { failure_threshold: -1 }, request_timeout: '-1s' }), [], 'fields Pixiu never validates stay lenient (defaulted)');
  const { config } = validatePluginConfig<KvcacheConfig>(entry, { enabled: false });
  t.match(config, { mode: 'lmcache', tokenize: 'vllm', evict_api: 'evict', request_timeout: '2s', lookup_routing_timeout: '50ms', retry: { max_attempts: 3 }, token_cache: { enabled: false } });
});
