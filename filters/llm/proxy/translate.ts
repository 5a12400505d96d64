// The provider-aware ProxyMapper: per attempt, the endpoint's `llm_meta.provider` picks a provider codec and
// createTranslation composes it with the client API's codec, so a retry or a fallback to another provider translates
// afresh. Pixiu's pure pass-through stays for paths no codec knows, for unknown client APIs, and for an OpenAI client
// on a plain OpenAI(-compatible) endpoint without model_map or options: those bytes and headers go untouched.
import type { RequestContext, WorkerPoolApi } from '../../../core/index.js';
import { LlmExchangeKey, detectOperation, isProviderStream, type ClientResponse } from '../../../core/llm/index.js';
import { applyPassthroughResponse, type CommittedResponse, type ProxyMapper } from './mapper.js';
import { tapCommitted } from './llm-exchange.js';
import { OPENAI_KIND, type ProviderCodecs } from './provider-codecs.js';
import { isSidePath, sidePathRequest } from './side-paths.js';
import { TranslatedBody } from './translated-body.js';
import { translatedRequest } from './translate-request.js';

export function createTranslatingMapper(codecs: ProviderCodecs, workers?: WorkerPoolApi): ProxyMapper {
  return {
    // Synchronous for the usual request (codecs loaded, the body already parsed by an earlier filter, no signing or
    // fetched credential): every async layer here cost a promise and a microtask turn per attempt.
    buildRequest(input) {
      const op = detectOperation(input.ctx.request.path);
      if (isSidePath(codecs, input, op)) return sidePathRequest(codecs, input).then((side) => side ?? translatedRequest(codecs, input, workers, op));
      return translatedRequest(codecs, input, workers, op);
    },
    applyResponse: (ctx, res) => applyTranslatedResponse(codecs, ctx, res),
    complete(ctx) {
      // The answer is over (or was never going to come): its usage is final and written once.
      ctx.get(LlmExchangeKey)?.settle(ctx);
    },
  };
}

function applyTranslatedResponse(codecs: ProviderCodecs, ctx: RequestContext, res: CommittedResponse): void | Promise<void> {
  const ex = res.request?.translation;
  const lx = ctx.get(LlmExchangeKey);
  if (lx !== undefined) tapCommitted(ctx, lx, res, ex, ex === undefined && lx.clientApi === 'openai' ? codecs.ready(OPENAI_KIND) : undefined);
  if (ex === undefined) return applyPassthroughResponse(ctx, res);
  if (!ex.passthrough && ex.stream && res.status < 300 && !Buffer.isBuffer(res.body) && isProviderStream(ex.provider, res.headers)) {
    const { translator, ...head } = ex.openStream(res.status, res.headers);
    return setClientResponse(ctx, res, { ...head, body: new TranslatedBody(res.body, translator) });
  }
  // Unary answers, errors (rendered in the client's error shape) and same-API streams.
  return ex.respond({ status: res.status, headers: res.headers, body: res.body }).then((out) => setClientResponse(ctx, res, out));
}

function setClientResponse(ctx: RequestContext, res: CommittedResponse, out: ClientResponse): void {
  ctx.response.status = out.status;
  ctx.response.headers = out.keepUpstreamHeaders ? { ...res.headers, ...out.headers } : { ...out.headers };
  ctx.response.body = out.body;
}
