// The retry loop on one endpoint of the strategy's walk (strategy.ts): each retry needs a slot of the cluster's retry
// budget, waits its backoff or the upstream's Retry-After within the deadline, then runs one attempt; and the walk's
// final outcome once no endpoint is left to try.
import { performance } from 'node:perf_hooks';
import { DgpError, isDgpError, type EndpointView, type RequestContext, type UpstreamAttempt } from '../../../core/index.js';
import { startAttemptSpan } from '../../../core/llm/index.js';
import { runAttempt, type AttemptResult, type Failed, type RetryableStatus } from './attempt.js';
import type { UpstreamRequest } from './mapper.js';
import { RequestUnbuildable } from './errors.js';
import { hideAddresses } from './hide-addresses.js';
import { parseRetryAfter, sleep, type RetryPolicy } from './retry/index.js';
import type { EndpointVerdict, StrategyOutcome, Walk } from './strategy.js';

export const label = (ep: EndpointView): string => `endpoint [${ep.id}]`;

/** The Retry-After the last answer asked for, carried from one attempt on an endpoint to the next. */
type AttemptState = { retryAfter: number };

/**
 * The retry loop on one endpoint: each attempt after the request's first needs a slot of the cluster's retry budget
 * (held through its wait and the attempt; refused: the walk stops with what it has), then waits (backoff, Retry-After)
 * within the deadline, then tries.
 */
export function tryEndpoint(walk: Walk, ep: EndpointView, policy: RetryPolicy): Promise<EndpointVerdict> {
  const state: AttemptState = { retryAfter: 0 };
  if (walk.attempts.length > 0) return retryLoop(walk, ep, policy, state);
  // The request's first attempt (the usual whole story) without an async frame of its own: the answer climbs back
  // through one reaction less.
  const delay = policy.next();
  if (delay === undefined) return Promise.resolve('fallback');
  return attemptOnce(walk, ep, delay, state).then((verdict) => (verdict !== 'again' ? verdict : retryLoop(walk, ep, policy, state)));
}

/** The attempts after the request's first, each holding a slot of the cluster's retry budget. */
async function retryLoop(walk: Walk, ep: EndpointView, policy: RetryPolicy, state: AttemptState): Promise<EndpointVerdict> {
  const { budget } = walk;
  for (let delay = policy.next(); delay !== undefined; delay = policy.next()) {
    if (!budget.tryRetry(walk.budgetSettings)) {
      walk.d.metrics.budgetDenied.inc({ cluster: walk.cluster });
      walk.trace.note(walk.cluster, ep.id, 'over_budget');
      walk.problems.push(`retry refused: cluster ${walk.cluster}'s retry budget is used up`);
      return 'stop';
    }
    try {
      const verdict = await attemptOnce(walk, ep, delay, state);
      if (verdict !== 'again') return verdict;
    } finally {
      budget.retryDone();
    }
  }
  return 'fallback';
}

/** One turn of the retry loop: the wait, then one attempt; 'again' = retry the same endpoint if the policy allows. */
function attemptOnce(walk: Walk, ep: EndpointView, delay: number, state: AttemptState): Promise<EndpointVerdict | 'again'> {
  const wait = Math.max(delay, state.retryAfter);
  if (wait <= 0) return sendAttempt(walk, ep, state);
  const { scope } = walk;
  // A wait that outlasts the deadline would only end in the deadline: stop now.
  if (wait >= scope.remaining()) return Promise.resolve(deadlinePassed(walk));
  return sleep(wait, scope.waitSignal()).then((slept) => {
    if (!slept) return scope.cancelledBy() === 'client' ? { kind: 'aborted' } : deadlinePassed(walk);
    return sendAttempt(walk, ep, state);
  });
}

/** Builds the upstream request (synchronously when it can) and sends it. */
function sendAttempt(walk: Walk, ep: EndpointView, state: AttemptState): Promise<EndpointVerdict | 'again'> {
  const { ctx, d } = walk;
  let built;
  try {
    built = d.mapper.buildRequest({ endpoint: ep, ctx, body: walk.body, scheme: d.options.scheme });
  } catch (err) {
    return Promise.resolve(unbuildable(ctx, ep, err));
  }
  if (built instanceof Promise) return built.then((req) => dispatchAttempt(walk, ep, state, req), (err: unknown) => unbuildable(ctx, ep, err));
  return dispatchAttempt(walk, ep, state, built);
}

/**
 * The client's request cannot be sent in this form (bad JSON, too deep, a field the provider cannot express, a
 * translator that failed on it): answered at once in the client's shape; the endpoint did nothing wrong and is
 * neither retried, left nor cooled down.
 */
function unbuildable(ctx: RequestContext, ep: EndpointView, err: unknown): StrategyOutcome {
  return { kind: 'error', error: assemblyError(ctx, ep, err) };
}

function dispatchAttempt(walk: Walk, ep: EndpointView, state: AttemptState, req: UpstreamRequest): Promise<EndpointVerdict | 'again'> {
  const { ctx, d, scope, attempts } = walk;
  const cluster = walk.cluster;
  if (attempts.length > 0) d.metrics.retries.inc({ cluster });
  // The attempt's CLIENT span (sampled requests only): ended with the attempt's record, whichever way it went.
  const span = startAttemptSpan(ctx, req.headers, ep, req.translation?.models.upstream);
  const started = performance.now();
  d.clusters.stats?.begin(cluster, ep.id);
  return runAttempt(d.pools.get(req.origin, d.poolOptions), req, scope, d.options, d.scrubbers.forKey(ep.llmMeta?.api_key ?? '')).then((r) =>
    judgeAttempt(walk, ep, state, req, span, started, r),
  );
}

/** The attempt's record, metrics and trace note, and what the walk does next. */
function judgeAttempt(
  walk: Walk,
  ep: EndpointView,
  state: AttemptState,
  req: UpstreamRequest,
  span: ReturnType<typeof startAttemptSpan>,
  started: number,
  r: AttemptResult,
): EndpointVerdict | 'again' {
  const { d, scope, attempts, problems } = walk;
  const cluster = walk.cluster;
  const stats = d.clusters.stats;
  const record: UpstreamAttempt = {
    endpoint_id: ep.id,
    address: ep.authority,
    cluster,
    status: r.status,
    success: false,
    error_type: '',
    duration_ms: Math.round((performance.now() - started) * 1000) / 1000,
  };
  attempts.push(record);
  try {
    if (r.kind === 'committed') {
      record.success = r.status >= 200 && r.status <= 299;
      record.error_type = record.success ? '' : 'status_code_error';
      d.metrics.attempt(cluster, ep.id, record.success ? 'success' : 'status_code_error').add();
      walk.trace.note(cluster, ep.id, 'picked');
      // In flight until the answer ends (the filter's onComplete settles it); a 4xx is the client's, not the endpoint's.
      const settle = (): void => stats?.end(cluster, ep.id, { ok: r.status < 500, latencyMs: record.duration_ms });
      return { kind: 'committed', result: r, endpoint: ep, record, request: req, cluster, settle };
    }
    // A client that went away says nothing about the endpoint.
    stats?.end(cluster, ep.id, { ok: r.kind === 'cancelled' && scope.cancelledBy() === 'client' });
    walk.trace.note(cluster, ep.id, `failed:${r.kind === 'status' ? r.status : r.kind === 'cancelled' ? (scope.cancelledBy() === 'client' ? 'aborted' : 'timeout') : r.errorType}`);
    if (r.kind === 'cancelled') {
      const by = scope.cancelledBy();
      record.error_type = by === 'client' ? 'aborted' : 'timeout';
      d.metrics.attempt(cluster, ep.id, record.error_type).add();
      return by === 'client' ? { kind: 'aborted' } : deadlinePassed(walk);
    }
    if (r.kind === 'status') {
      record.error_type = 'status_code_error';
      d.metrics.attempt(cluster, ep.id, 'status_code_error').add();
      problems.push(`${label(ep)} retry: returned status code ${r.status}`);
      walk.lastResponse = { result: r, endpoint: ep, request: req, cluster };
      // 529 is Anthropic's "overloaded", which carries Retry-After like a 503.
      const asked = r.status === 429 || r.status === 503 || r.status === 529 ? parseRetryAfter(r.headers['retry-after']) : undefined;
      state.retryAfter = d.options.respectRetryAfter && asked !== undefined ? asked : 0;
      // The upstream asked for longer than we are willing to hold the client: try the next endpoint instead.
      if (state.retryAfter > d.options.maxRetryAfter) return 'fallback';
      return 'again';
    }
    record.error_type = r.errorType;
    d.metrics.attempt(cluster, ep.id, r.errorType).add();
    problems.push(`${label(ep)} retry: request error: ${hideAddresses(r.message, ep)}`);
    walk.lastFailure = r;
    if (!r.retryable) {
      d.clusters.cooldowns.markFailure(cluster, ep);
      return 'stop';
    }
    // Pixiu: transport errors are not retried on the same endpoint; an empty stream is retried like a status.
    return r.errorType === 'empty_stream' ? 'again' : 'fallback';
  } finally {
    span?.end(record);
  }
}

/**
 * A coded error keeps its code and status (4xx: the client's request; 5xx: the gateway's config, e.g. a missing
 * codec); anything else thrown while building is a 400 whose message holds no engine text (the log has the stack).
 */
function assemblyError(ctx: RequestContext, ep: EndpointView, err: unknown): DgpError {
  if (isDgpError(err)) return err;
  ctx.log.warn({ err, endpoint: ep.id, cluster: ctx.route.cluster }, 'the upstream request could not be built from this request; answered 400');
  const why = err instanceof RangeError ? 'it nests too deep or is too large to translate' : 'it could not be translated';
  return RequestUnbuildable(`the request cannot be sent to endpoint "${ep.id}": ${why}`, { cause: err, hint: 'check the request body against the client API reference' });
}

export function deadlinePassed(walk: Walk): 'stop' {
  walk.deadlineHit = true;
  return 'stop';
}

/** No attempt succeeded: the last HTTP answer when there was one (Pixiu), else 504 / 502 / 503 by what went wrong. */
export function finalOutcome(
  attempts: readonly UpstreamAttempt[],
  problems: string[],
  lastResponse: { result: RetryableStatus; endpoint: EndpointView; request: UpstreamRequest; cluster: string } | undefined,
  lastFailure: Failed | undefined,
  deadlineHit: boolean,
): StrategyOutcome {
  if (lastResponse) return { kind: 'last_response', ...lastResponse };
  if (attempts.length === 0 && !deadlineHit) problems.push('all retries and fallbacks failed without a definitive error or response');
  if (deadlineHit) problems.push('the proxy deadline passed');
  const message = problems.join('; ');
  const details = { attempts: attempts.map((a) => ({ ...a })) };
  if (deadlineHit || lastFailure?.timedOut) return { kind: 'error', error: new DgpError('DGP_ERR_UPSTREAM_TIMEOUT', message, { details }) };
  if (lastFailure?.errorType === 'empty_stream') return { kind: 'error', error: new DgpError('DGP_ERR_UPSTREAM_EMPTY', message, { details }) };
  if (lastFailure?.errorType === 'bad_response') return { kind: 'error', error: new DgpError('DGP_ERR_UPSTREAM_BAD_RESPONSE', message, { details }) };
  return { kind: 'error', error: new DgpError('DGP_ERR_UPSTREAM_UNAVAILABLE', message, { details }) };
}
