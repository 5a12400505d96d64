// Composes two provider codecs into one attempt: the client API's codec and the endpoint provider's codec.
// Same API on both sides: the bytes pass through (only a mapped model or `llm_meta.options` re-serialise the body).
// Different APIs: client request → pivot (OpenAI Chat) → provider request, and the response, stream and errors back.
import { DgpError } from '../index.js';
import type { EndpointView } from '../index.js';
import {
  clientCodecFor,
  resolveModel,
  type ClientCodec,
  type ClientRequestView,
  type CodecContext,
  type CodecLog,
  type HeaderMap,
  type JsonObject,
  type ProviderCodec,
  type ProviderError,
  type WireApi,
} from './api.js';
import { isProviderStream, passthroughStream, translatedStream, type StreamTranslator } from './stream.js';
import type { LlmExchange } from './exchange.js';
import { TranslatedStreamTap } from './response-tap.js';
import { tapUnary } from './unary-tap.js';
import { badClientRequest, collectBounded, deepMerge, defaultNewId, isPlainObject } from './helpers.js';
import { checkChatCompletion, checkChatRequest } from './pivot-check.js';
import { planEmbedding } from './embed-translation.js';
import { prefixCompletionIds } from './ids.js';

export type { StreamTranslator } from './stream.js';

export interface TranslationInput {
  /** The API the client speaks (ctx.clientApi). */
  readonly clientApi: WireApi;
  readonly request: ClientRequestView;
  /** The body bytes as received: sent unchanged on a pure pass-through. */
  readonly rawBody: Buffer | undefined;
  readonly endpoint: Pick<EndpointView, 'llmMeta'>;
  /** The codec of `dgp.adapter.provider.<clientApi>` (its client side is used). */
  readonly clientCodec: ProviderCodec;
  /** The codec of `dgp.adapter.provider.<llm_meta.provider>`. */
  readonly providerCodec: ProviderCodec;
  readonly log: CodecLog;
  /** Id source (tests make it deterministic). Default: prefix + 24 random base62-ish characters. */
  readonly newId?: (prefix: string) => string;
  /** Unix seconds. Default: Date.now() / 1000. */
  readonly now?: () => number;
  /** The request's LLM exchange: a translated answer's items and usage are handed to it as they are decoded. */
  readonly exchange?: LlmExchange;
  /** A filter needs the final usage (StreamUsageWanted): a same-API stream asks for it when the client did not. */
  readonly wantUsage?: boolean;
  /** A local count of the prompt's tokens (CodecContext.promptTokens). */
  readonly promptTokens?: number;
}

export interface UpstreamRequestPlan {
  method: string;
  /** Path and query. */
  path: string;
  /** Headers to set; they win over the client's. */
  headers: Record<string, string>;
  /** Client headers that must not travel upstream (credentials; on translation the client API's own headers). */
  dropHeaders: string[];
  /** undefined: send no body. */
  body: Buffer | undefined;
}

export interface ClientResponse {
  status: number;
  /** With keepUpstreamHeaders the upstream's headers (hop-by-hop and content-length removed) plus these; else only these. */
  headers: Record<string, string>;
  keepUpstreamHeaders: boolean;
  body: Buffer | AsyncIterable<Buffer>;
}

export interface AttemptTranslation {
  /** Same API on both sides: the response passes through (relabelled only when the model was mapped). */
  readonly passthrough: boolean;
  /** The client asked for a stream. */
  readonly stream: boolean;
  readonly models: CodecContext['models'];
  /** The endpoint's provider codec. */
  readonly provider: ProviderCodec;
  /** The codec context of this attempt (the provider's decoder needs it to read a passed-through stream). */
  readonly context: CodecContext;
  readonly request: UpstreamRequestPlan;
  /** A complete upstream response: 2xx unary, or any error status. */
  translateBody(status: number, headers: HeaderMap, body: Buffer): ClientResponse & { body: Buffer };
  /** A 2xx streamed upstream response: the status and headers to send now, and the body translator. */
  openStream(status: number, headers: HeaderMap): Omit<ClientResponse, 'body'> & { translator: StreamTranslator };
  /** Routes a committed response by status and body kind; unary bodies are collected (errors: at most 1 MiB). */
  respond(res: { status: number; headers: HeaderMap; body: Buffer | AsyncIterable<Buffer> }): Promise<ClientResponse>;
}

/** Headers of one API that mean nothing (or something wrong) to another provider. */
const CLIENT_API_HEADERS = ['anthropic-version', 'anthropic-beta', 'openai-organization', 'openai-project', 'openai-beta', 'x-goog-api-client', 'x-goog-user-project'];
const CREDENTIALS = ['authorization', 'x-api-key', 'api-key', 'x-goog-api-key'];
/** Client headers a translated request never forwards. */
const TRANSLATED_DROP = [...CREDENTIALS, ...CLIENT_API_HEADERS, 'content-length', 'host', 'content-type', 'accept', 'accept-encoding'];
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

function planPassthrough(input: TranslationInput, provider: ProviderCodec, client: ClientCodec, cx: CodecContext, overrides: JsonObject, apiKey: string, usageAsk: JsonObject | undefined): UpstreamRequestPlan {
  const { request } = input;
  let body = input.rawBody;
  if (isPlainObject(request.body)) {
    let out: JsonObject | undefined = usageAsk;
    if (cx.models.upstream !== cx.models.client || Object.keys(overrides).length > 0) {
      out = structuredClone(out ?? request.body);
      client.setRequestModel(out, cx.models.upstream);
      deepMerge(out, overrides);
    }
    // Last, so that what the provider must not receive (a model field, for one) stays out whatever was merged.
    out = provider.upstream.adjustPassthrough?.(out ?? request.body, cx) ?? out;
    if (out !== undefined) body = Buffer.from(JSON.stringify(out));
  }
  const target = provider.upstream.target({
    operation: request.operation,
    model: cx.models.upstream,
    stream: cx.stream,
    apiKey,
    passthrough: { path: request.path, query: request.query, headers: request.headers },
    settings: cx.settings,
  });
  const hasBody = body !== undefined && body.length > 0;
  return { method: request.method.toUpperCase(), path: target.path, headers: target.headers, dropHeaders: [...CREDENTIALS, 'content-length', 'host'], body: hasBody ? body : undefined };
}

function planTranslated(input: TranslationInput, provider: ProviderCodec, client: ClientCodec, cx: CodecContext, overrides: JsonObject, apiKey: string): UpstreamRequestPlan {
  const { request } = input;
  if (!client.chatOperations.includes(request.operation)) {
    throw new DgpError(
      'DGP_ERR_PROVIDER_UNSUPPORTED',
      `The ${input.clientApi} operation "${request.operation}" cannot be translated to the ${provider.name} API.`,
      { hint: `route it to an endpoint whose llm_meta.provider speaks ${input.clientApi}`, details: { operation: request.operation, provider: provider.name } },
    );
  }
  const chat = client.toChat(request.body, cx);
  checkChatRequest(chat);
  chat.model = cx.models.upstream;
  const body = provider.upstream.fromChat(chat, cx);
  deepMerge(body, overrides);
  const target = provider.upstream.target({
    operation: provider.upstream.chatOperation(cx.stream),
    model: cx.models.upstream,
    stream: cx.stream,
    apiKey,
    settings: cx.settings,
  });
  const headers = {
    'content-type': 'application/json',
    accept: cx.stream ? (provider.upstream.streamFraming?.contentType ?? 'text/event-stream') : 'application/json',
    // The translator reads the body: it must arrive uncompressed.
    'accept-encoding': 'identity',
    ...target.headers,
  };
  return { method: 'POST', path: target.path, headers, dropHeaders: [...TRANSLATED_DROP], body: Buffer.from(JSON.stringify(body)) };
}

/** `llm_meta.options`: `model` forces the upstream model, setting keys overlay the plugin config, the rest merge into the body. */
function splitOptions(provider: ProviderCodec, options: unknown): { settings: JsonObject; overrides: JsonObject; forcedModel: string | undefined } {
  const settings: JsonObject = { ...provider.settings };
  const overrides: JsonObject = {};
  let forcedModel: string | undefined;
  if (!isPlainObject(options)) return { settings, overrides, forcedModel };
  const keys = new Set([...provider.upstream.settingKeys, 'response_model']);
  for (const [k, v] of Object.entries(options)) {
    if (k === 'model') forcedModel = typeof v === 'string' && v !== '' ? v : undefined;
    else if (keys.has(k)) settings[k] = v;
    else overrides[k] = structuredClone(v);
  }
  return { settings, overrides, forcedModel };
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
