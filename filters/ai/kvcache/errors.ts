// dgp.filter.ai.kvcache's error codes. They are logged and counted, never sent to a client: on any of them the request
// goes on with normal load balancing.
import { defineErrorCode } from '../../../core/index.js';

const owner = 'dgp.filter.ai.kvcache';

export const KvcacheLmcacheFailed = defineErrorCode('DGP_ERR_KVCACHE_LMCACHE', 502, {
  owner,
  summary: 'The LMCache controller answered with a non-2xx status or could not be reached.',
  fix: 'Check lmcache_endpoint and the controller; dgp_kvcache_lookups_total{result="error"} counts these.',
});
export const KvcacheTokenizeFailed = defineErrorCode('DGP_ERR_KVCACHE_TOKENIZE', 502, {
  owner,
  summary: 'vLLM POST /tokenize answered with a non-2xx status, could not be reached, or sent no token list.',
  fix: 'Check vllm_endpoint (a vLLM server serving the model), or use tokenize: local.',
});
export const KvcacheBadResponse = defineErrorCode('DGP_ERR_KVCACHE_BAD_RESPONSE', 502, {
  owner,
  summary: 'LMCache or vLLM answered 2xx with JSON that does not have the documented shape.',
  fix: 'Check the controller version against the LMCache contract in docs/kvcache.md.',
});
export const KvcacheTimeout = defineErrorCode('DGP_ERR_KVCACHE_TIMEOUT', 504, {
  owner,
  summary: 'A vLLM or LMCache call did not finish within lookup_routing_timeout (request path) or request_timeout (background).',
  fix: 'Nothing is needed per request; raise the timeout if the controller is just slow.',
});
export const KvcacheBreakerOpen = defineErrorCode('DGP_ERR_KVCACHE_BREAKER_OPEN', 503, {
  owner,
  summary: 'The kvcache circuit breaker is open after repeated failures; the call was not made.',
  fix: 'Fix the failing vLLM / LMCache service; the breaker probes it again after circuit_breaker.recovery_timeout.',
});
