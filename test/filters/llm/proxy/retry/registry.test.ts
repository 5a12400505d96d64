// Port of Pixiu retry_test.go TestRetryPolicyRegistry (spec §6.2), getRetryPolicy's errors, and Retry-After parsing.
import t from 'tap';
import { DgpError, type EndpointView } from '../../../../../core/index.js';
import {
  BaseRetryPolicy,
  createRetryPolicy,
  getRetryPolicy,
  parseRetryAfter,
  registerRetryPolicy,
} from '../../../../../filters/llm/proxy/retry/index.js';

class Dummy extends BaseRetryPolicy {
  constructor(readonly maxAttempts: number) {
    super();
  }
  protected delayBefore(): number {
    return 0;
  }
}

t.test('TestRetryPolicyRegistry: register, look up case-insensitively with config, overwrite', async (t) => {
  const warnings: string[] = [];
  t.equal(registerRetryPolicy('MyDummyPolicy', (c) => new Dummy(Number(c.n ?? 1)), (m) => warnings.push(m)), false);
  t.equal(createRetryPolicy('mydummypolicy', { n: 4 }).maxAttempts, 4);
  t.equal(createRetryPolicy('MYDUMMYPOLICY', {}).maxAttempts, 1);
  t.throws(() => createRetryPolicy('nope', {}, 'ep-1'), { message: "unknown retry policy type 'nope' specified for endpoint ep-1" });
  t.equal(registerRetryPolicy('mydummypolicy', () => new Dummy(9), (m) => warnings.push(m)), true);
  t.same(warnings, ["retry policy type 'mydummypolicy' is being overwritten"]);
  t.equal(createRetryPolicy('MyDummyPolicy', {}).maxAttempts, 9);
});

const ep = (llmMeta: EndpointView['llmMeta']): EndpointView =>
  ({ id: 'ep-a', name: 'a', address: '127.0.0.1', port: 1, domains: [], host: '127.0.0.1:1', authority: '127.0.0.1:1', meta: {}, llmMeta, healthy: true, source: 'static' }) as EndpointView;

t.test('getRetryPolicy: built-in names, NoRetry default, coded errors', async (t) => {
  const meta = (name: string, config: Record<string, unknown> = {}) => ({ provider: '', api_key: '', fallback: false, health_check_interval: 0, retry_policy: { name, config } });
  t.equal(getRetryPolicy(ep(meta('countbased', { times: 1 }))).maxAttempts, 2);
  t.equal(getRetryPolicy(ep(meta('ExponentialBackoff', { times: 3 }))).maxAttempts, 4);
  t.equal(getRetryPolicy(ep(meta(''))).maxAttempts, 1, 'an empty name is NoRetry');
  t.equal(getRetryPolicy(ep(undefined)).maxAttempts, 1, 'no llm_meta is NoRetry (Pixiu panics with 500)');
  const err = t.throws(() => getRetryPolicy(ep(meta('Fancy')))) as unknown as DgpError;
  t.equal(err.code, 'DGP_ERR_UPSTREAM_RETRY_POLICY');
  t.equal(err.message, "unknown retry policy type 'Fancy' specified for endpoint ep-a");
  const bad = t.throws(() => getRetryPolicy(ep(meta('CountBased', { times: 'x' })))) as unknown as DgpError;
  t.equal(bad.code, 'DGP_ERR_UPSTREAM_RETRY_POLICY');
});

t.test('Retry-After: seconds, HTTP-date, garbage', async (t) => {
  const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
  t.equal(parseRetryAfter('2'), 2000);
  t.equal(parseRetryAfter(['0', '5']), 0);
  t.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:03 GMT', now), 3000);
  t.equal(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now), 0, 'a past date means now');
  t.equal(parseRetryAfter('soon'), undefined);
  t.equal(parseRetryAfter('1.5'), undefined);
  t.equal(parseRetryAfter(undefined), undefined);
});
