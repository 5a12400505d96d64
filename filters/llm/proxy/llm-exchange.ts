// Publishes the request's LlmExchange (core/llm/exchange.ts) and feeds it the committed answer. A translated answer
// feeds it from inside the translation; a same-API answer — pure pass-through included — is tapped here, on the
// upstream body as it is delivered, without changing a byte of it.
import { RequestModel, SelectedEndpoint, type RequestContext } from '../../../core/index.js';
import {
  LlmExchange,
  LlmExchangeKey,
  PassthroughStreamTap,
  UnaryBodyTap,
  contentCodings,
  clientCodecFor,
  clientRouteOf,
  defaultCodecContext,
  tapUnary,
  type AttemptTranslation,
  type ChatRequest,
  type ClientCodec,
  type CodecLog,
  type ProviderCodec,
  type ProviderOperation,
  type WireApi,
} from '../../../core/llm/index.js';
import { isEventStream } from './body-read.js';
import type { CommittedResponse } from './mapper.js';
import { UpstreamBody } from './response-body.js';

/** The request's exchange, created on the first attempt; undefined for paths and APIs no codec knows. */
export function openLlmExchange(ctx: RequestContext, client: ProviderCodec | undefined): LlmExchange | undefined {
  const existing = ctx.get(LlmExchangeKey);
  if (existing !== undefined) return existing;
  const { api, operation } = clientRouteOf(ctx);
  if (api === 'unknown' || operation === undefined || client?.client === undefined) return undefined;
  const codec = client.client;
  const lx = new LlmExchange({ clientApi: api, operation, pivot: () => pivotOf(ctx, api, codec, client, operation) });
  ctx.set(LlmExchangeKey, lx);
  return lx;
}

async function pivotOf(ctx: RequestContext, api: WireApi, codec: ClientCodec, client: ProviderCodec, op: string): Promise<ChatRequest | undefined> {
  codec = clientCodecFor(codec, op as ProviderOperation);
  if (!codec.chatOperations.includes(op as never)) return undefined;
  const body = await ctx.request.json<unknown>();
  if (api === 'openai' && op === 'chat') return body as ChatRequest;
  const { method, path, query, headers } = ctx.request;
  const info = codec.inspect({ operation: op as never, method, path, query, headers, body });
  const cx = defaultCodecContext({ log: requestLog(ctx), provider: client.name, model: info.model, stream: info.stream, includeUsage: info.includeUsage, query, settings: client.settings });
  return codec.toChat(body, cx);
}

/**
 * The committed answer: records where it came from, and taps a same-API answer (the translation feeds a translated
 * one itself). An answer the exchange cannot read (compressed) stays unobserved: `observed` tells consumers.
 */
export function tapCommitted(ctx: RequestContext, lx: LlmExchange, res: CommittedResponse, t: AttemptTranslation | undefined, passthroughCodec: ProviderCodec | undefined): void {
  const ep = ctx.get(SelectedEndpoint);
  const provider = t?.provider ?? passthroughCodec;
  if (provider === undefined) return;
  const model = t?.models.upstream ?? modelOf(ctx);
  lx.target = {
    provider: provider.name,
    api: provider.api,
    cluster: ctx.route.cluster,
    endpoint: ep?.id ?? '',
    model,
    reportedModel: t?.models.reported ?? model,
    passthrough: t === undefined || t.passthrough,
  };
  if (t !== undefined && !t.passthrough) return;
  const codings = contentCodings(res.headers['content-encoding']);
  if (codings === undefined) return;
  const sse = isEventStream(res.headers);
  const cx = t?.context ?? (() => defaultCodecContext({ log: requestLog(ctx), provider: provider.name, model, stream: sse, includeUsage: false, query: ctx.request.query, settings: provider.settings }));
  if (Buffer.isBuffer(res.body)) {
    if (codings.length === 0) tapUnary(lx, provider, cx, res.status, res.headers, res.body);
    else new UnaryBodyTap(lx, provider, cx, res.status, res.headers, codings).feed(res.body);
  } else if (!(res.body instanceof UpstreamBody)) {
    return;
  } else if (sse) {
    if (res.status < 300 && codings.length === 0) res.body.observe = new PassthroughStreamTap(lx, provider, cx).feed;
  } else if (t?.stream !== true) {
    // A unary answer without a Content-Length (chunked, as OpenAI sends them) passes through as it comes: read at
    // settle. Not a client's stream in JSON framing (Gemini's streamGenerateContent without alt=sse).
    res.body.observe = new UnaryBodyTap(lx, provider, cx, res.status, res.headers, codings).feed;
  }
}

/**
 * The request's logger, created only when a codec logs: building the pino child (bindings, redaction) for every
 * pass-through answer cost more than the rest of the tap.
 */
export function requestLog(ctx: RequestContext): CodecLog {
  return { debug: (obj, msg) => ctx.log.debug(obj, msg), warn: (obj, msg) => ctx.log.warn(obj, msg) };
}

/** The model of a pure pass-through request, as far as known without parsing its body. */
function modelOf(ctx: RequestContext): string {
  const known = ctx.get(RequestModel);
  if (known !== undefined) return known;
  const gemini = /\/models\/([^/:]+):/.exec(ctx.request.path);
  return gemini ? decodeURIComponent(gemini[1]!) : '';
}
