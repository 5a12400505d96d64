// Composes two provider codecs into one attempt: the client API's codec and the endpoint provider's codec.
// Same API on both sides: the bytes pass through (only a mapped model or `llm_meta.options` re-serialise the body).
// Different APIs: client request → pivot (OpenAI Chat) → provider request, and the response, stream and errors back.
import { DgpError } from '../index.js';
import { clientCodecFor } from './client-codec.js';
import { resolveModel } from './provider-codec.js';
import type { CodecContext, CodecLog } from './codec-context.js';
import type { HeaderMap, JsonObject, ProviderError } from './api.js';
import { isProviderStream, passthroughStream, translatedStream, type StreamTranslator } from './stream.js';
import { TranslatedStreamTap } from './response-tap.js';
import { tapUnary } from './unary-tap.js';
import { badClientRequest, collectBounded, defaultNewId, isPlainObject } from './helpers.js';
import { checkChatCompletion } from './pivot-check.js';
import { planEmbedding } from './embed-translation.js';
import { prefixCompletionIds } from './ids.js';
import { planPassthrough, planTranslated, splitOptions, TRANSLATED_DROP } from './translation-plan.js';
import type { AttemptTranslation, ClientResponse, TranslationInput } from './translation-types.js';

export type { StreamTranslator } from './stream.js';

const MAX_ERROR_BODY = 1024 * 1024;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** A translated unary answer is parsed whole; bigger ones (base64 images) are cut and fail to parse (502). */
const MAX_UNARY_BODY = 64 * 1024 * 1024;

export function createTranslation(input: TranslationInput): AttemptTranslation {
  const base = input.clientCodec.client;
  if (!base) {
    throw new DgpError('DGP_ERR_PROVIDER_CODEC', `The "${input.clientCodec.name}" codec does not serve ${input.clientApi} clients.`);
  }
  const client = clientCodecFor(base, input.request.operation);
  const { request } = input;
  const llm = input.endpoint.llmMeta;
  const info = client.inspect(request);
  const { settings, overrides, forcedModel } = splitOptions(input.providerCodec, llm?.options);
  const upstreamModel = forcedModel ?? resolveModel(llm?.model_map, info.model);
  const provider = input.providerCodec.select?.(settings, upstreamModel) ?? input.providerCodec;
  // The model goes into URLs (Gemini, Azure): a lone surrogate would make encodeURIComponent throw.
  if (LONE_SURROGATE.test(info.model) || LONE_SURROGATE.test(upstreamModel)) throw badClientRequest('model', 'is not a well-formed Unicode string');
  const reported = settings.response_model === 'provider' ? upstreamModel : info.model;
  const cx: CodecContext = {
    log: input.log,
    provider: provider.name,
    newId: input.newId ?? defaultNewId,
    now: input.now ?? (() => Math.floor(Date.now() / 1000)),
    models: { client: info.model, upstream: upstreamModel, reported },
    stream: info.stream,
    includeUsage: info.includeUsage,
    clientQuery: request.query,
    settings,
    ...(input.promptTokens === undefined ? {} : { promptTokens: input.promptTokens }),
  };
  const apiKey = (typeof llm?.api_key === 'string' && llm.api_key !== '' ? llm.api_key : client.credential(request)) ?? '';
  // `responses_api: chat`: a server of the OpenAI API without the Responses API gets Responses requests as Chat.
  const passthrough = input.clientApi === provider.api && !(request.operation === 'responses' && settings.responses_api === 'chat');
  // Translated answers are re-encoded anyway (the OpenAI upstream always asks for usage); same-API streams ask here.
  const usageAsk = passthrough && input.wantUsage === true && info.stream && !info.includeUsage && isPlainObject(request.body) ? client.requestStreamUsage?.(request.body) : undefined;
  const embed = !passthrough && client.embeddings?.operations.includes(request.operation) ? planEmbedding(input, client, cx, overrides, apiKey, [...TRANSLATED_DROP]) : undefined;
  const plan = passthrough
    ? planPassthrough(input, provider, client, cx, overrides, apiKey, usageAsk)
    : (embed?.plan ?? planTranslated(input, provider, client, cx, overrides, apiKey));
  const relabel = passthrough && upstreamModel !== reported && client.relabel !== undefined;
  const unrequestUsage = usageAsk !== undefined && client.unrequestStreamUsage !== undefined;
  const rewrite = { relabel, unrequestUsage };
  if (relabel || unrequestUsage) plan.headers['accept-encoding'] = 'identity';

  const renderError = (err: ProviderError): ClientResponse & { body: Buffer } => {
    const r = client.renderError(err);
    return { status: r.status, headers: r.headers, keepUpstreamHeaders: false, body: Buffer.from(JSON.stringify(r.body)) };
  };

  const translateBody = (status: number, headers: HeaderMap, body: Buffer): ClientResponse & { body: Buffer } => {
    if (passthrough) {
      if (!relabel || status >= 300) return { status, headers: {}, keepUpstreamHeaders: true, body };
      const obj = parseObject(body);
      if (!obj || !client.relabel?.(obj, reported)) return { status, headers: {}, keepUpstreamHeaders: true, body };
      return { status, headers: {}, keepUpstreamHeaders: true, body: Buffer.from(JSON.stringify(obj)) };
    }
    if (status >= 300) {
      if (input.exchange) tapUnary(input.exchange, provider, cx, status, headers, body);
      return renderError(provider.upstream.parseError(status, headers, body));
    }
    const obj = parseObject(body);
    if (!obj) return renderError({ status: 502, kind: 'server', message: `The ${provider.name} response is not a JSON object.` });
    if (embed) return { status, headers: { 'content-type': 'application/json' }, keepUpstreamHeaders: false, body: Buffer.from(JSON.stringify(embed.answer(obj))) };
    const chat = provider.upstream.toChat(obj, cx);
    checkChatCompletion(chat, provider.name);
    prefixCompletionIds(chat, client.idPrefixes);
    if (input.exchange) tapUnary(input.exchange, provider, cx, status, headers, body, obj);
    const out = client.fromChat(chat, cx);
    return { status, headers: { 'content-type': 'application/json' }, keepUpstreamHeaders: false, body: Buffer.from(JSON.stringify(out)) };
  };

  const openStream = (status: number): Omit<ClientResponse, 'body'> & { translator: StreamTranslator } => {
    if (passthrough) {
      return { status, headers: {}, keepUpstreamHeaders: true, translator: passthroughStream(client, cx, rewrite) };
    }
    const tap = input.exchange && new TranslatedStreamTap(input.exchange, provider);
    const translator = translatedStream(provider.upstream.createDecoder(cx), client.createEncoder(cx), cx, tap, provider.upstream.streamFraming?.createReader(), client.idPrefixes);
    const headers = { 'content-type': client.streamContentType(cx), 'cache-control': 'no-cache' };
    return { status, headers, keepUpstreamHeaders: false, translator };
  };

  return {
    passthrough,
    stream: info.stream,
    models: cx.models,
    provider,
    context: cx,
    request: plan,
    translateBody,
    openStream,
    async respond(res) {
      if (passthrough && !relabel && !unrequestUsage) return { status: res.status, headers: {}, keepUpstreamHeaders: true, body: res.body };
      // A provider that ignored `stream` answers JSON: translated as a unary response rather than parsed as SSE.
      const sse = passthrough || isProviderStream(provider, res.headers);
      const isStream = res.status < 300 && info.stream && sse && !Buffer.isBuffer(res.body);
      if (isStream) {
        const { translator, ...head } = openStream(res.status);
        return { ...head, body: translateIterable(res.body as AsyncIterable<Buffer>, translator) };
      }
      const limit = res.status < 300 ? MAX_UNARY_BODY : MAX_ERROR_BODY;
      const body = Buffer.isBuffer(res.body) ? res.body : await collectBounded(res.body as AsyncIterable<Buffer>, limit);
      return translateBody(res.status, res.headers, body);
    },
  };
}

/** A codec context outside a translation (reading a passed-through answer, or the request in pivot form). */
export function defaultCodecContext(o: {
  log: CodecLog;
  provider: string;
  model: string;
  stream: boolean;
  includeUsage: boolean;
  query: string;
  settings: Readonly<JsonObject>;
}): CodecContext {
  return {
    log: o.log,
    provider: o.provider,
    newId: defaultNewId,
    now: () => Math.floor(Date.now() / 1000),
    models: { client: o.model, upstream: o.model, reported: o.model },
    stream: o.stream,
    includeUsage: o.includeUsage,
    clientQuery: o.query,
    settings: o.settings,
  };
}

function parseObject(body: Buffer): JsonObject | undefined {
  try {
    const v: unknown = JSON.parse(body.toString('utf8'));
    return isPlainObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

async function* translateIterable(body: AsyncIterable<Buffer>, t: StreamTranslator): AsyncIterable<Buffer> {
  for await (const chunk of body) {
    const out = t.feed(chunk);
    if (out.length > 0) yield out;
  }
  const tail = t.end();
  if (tail.length > 0) yield tail;
}
