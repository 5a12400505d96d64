// dgp.filter.llm.cache's error codes, registered with the SDK's defineErrorCode so docs/errors.md lists them.
import { defineErrorCode } from '../../../core/index.js';

const owner = 'dgp.filter.llm.cache';

export const notCached = defineErrorCode('DGP_ERR_CACHE_NOT_CACHED', 504, {
  owner,
  summary: 'The request said Cache-Control: only-if-cached and the cache holds no answer for it (RFC 9111 §5.2.1.7), so no upstream call was made.',
  fix: 'Send the request without only-if-cached to let the gateway call the upstream (and fill the cache).',
});
export const badPurge = defineErrorCode('DGP_ERR_CACHE_BAD_SCOPE', 400, {
  owner,
  summary: 'DELETE /admin/v1/cache needs ?scope= naming one scope: global, team:<id>, key:<id> or user:<id>.',
  fix: 'Name the scope to purge, e.g. DELETE /admin/v1/cache?scope=team:red.',
});
export const badFeedback = defineErrorCode('DGP_ERR_CACHE_BAD_FEEDBACK', 400, {
  owner,
  summary: 'POST /admin/v1/cache/feedback needs {"request_id": "<id of a semantic hit>", "verdict": "wrong"}; the id must be a recent semantic hit of this process.',
  fix: 'Send the x-request-id of the response that was a wrong semantic hit (x-dgp-cache: HIT_SEMANTIC).',
});
export const embedderCluster = defineErrorCode('DGP_ERR_CACHE_EMBEDDER_CLUSTER', 500, {
  owner,
  summary: 'semantic.embedder names a cluster (type: upstream) that the config does not define; reported when the config is loaded.',
  fix: 'Add the embeddings cluster under static_resources.clusters (endpoints serving /v1/embeddings) or fix the name.',
});
