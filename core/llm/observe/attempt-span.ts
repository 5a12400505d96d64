// The CLIENT span of one upstream attempt, named per the GenAI conventions (`chat gpt-4o`): what the proxy calls
// around each attempt. Does nothing (and allocates nothing) unless the request is sampled.
import { RequestModel, RequestTraceAttr, type AttemptSpanApi, type EndpointView, type OutgoingHeaders, type RequestContext } from '../../index.js';
import { clientRouteOf } from '../client-api.js';
import { LlmExchangeKey } from '../exchange.js';
import * as S from './semconv.js';
import { watchFinishReasons } from './span-fields.js';

/** Starts the attempt's span (and writes its traceparent into `headers` when propagation is on); undefined when unsampled. */
export function startAttemptSpan(ctx: RequestContext, headers: OutgoingHeaders, ep: EndpointView, upstreamModel: string | undefined): AttemptSpanApi | undefined {
  const rt = ctx.get(RequestTraceAttr);
  if (rt === undefined) return undefined;
  const lx = ctx.get(LlmExchangeKey);
  watchFinishReasons(ctx, lx);
  const op = S.genAiOperation(lx?.operation ?? clientRouteOf(ctx).operation);
  const model = upstreamModel || ctx.get(RequestModel) || '';
  return rt.startAttempt(headers, model === '' ? op : `${op} ${model}`, {
    [S.GEN_AI_OPERATION_NAME]: op,
    [S.GEN_AI_PROVIDER_NAME]: S.genAiProvider(ep.llmMeta?.provider),
    [S.GEN_AI_REQUEST_MODEL]: model,
    [S.SERVER_ADDRESS]: ep.domains[0] ?? ep.address,
    [S.SERVER_PORT]: ep.port,
    'dgp.endpoint': ep.id,
  });
}
