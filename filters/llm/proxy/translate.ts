// The provider-aware ProxyMapper: per attempt, the endpoint's `llm_meta.provider` picks a provider codec and
// createTranslation composes it with the client API's codec, so a retry or a fallback to another provider translates
// afresh. Pixiu's pure pass-through stays for paths no codec knows, for unknown client APIs, and for an OpenAI client
// on a plain OpenAI(-compatible) endpoint without model_map or options: those bytes and headers go untouched.
import { buildUpstreamHeaders, dropCredentialParams, endpointOrigin, gatewayUserAgent, type RequestContext, type WorkerPoolApi } from '../../../core/index.js';
import { LlmExchangeKey, StreamUsageWanted, clientApiOf, createTranslation, detectOperation, isPlainObject, isProviderStream, type ClientCodec, type ClientResponse, type ProviderCodec, type AttemptTranslation, type WireApi } from '../../../core/llm/index.js';
import { assertJsonDepth } from './json-depth.js';
import {
  applyPassthroughResponse,
  buildPassthroughRequest,
  type CommittedResponse,
  type ProxyMapper,
  type RequestAssemblyInput,
  type UpstreamRequest,
} from './mapper.js';
import { normalizeScheme } from './options.js';
import { openLlmExchange, requestLog, tapCommitted } from './llm-exchange.js';
import { OPENAI_KIND, type ProviderCodecs } from './provider-codecs.js';
import { anthropicPromptTokens, embeddingPromptTokens } from './prompt-count.js';
import { sidePathRequest } from './side-paths.js';
import { TranslatedBody } from './translated-body.js';

const CLIENT_KINDS: Readonly<Record<WireApi, string>> = {
  openai: 'dgp.adapter.provider.openai',
  anthropic: 'dgp.adapter.provider.anthropic',
  gemini: 'dgp.adapter.provider.gemini',
};

export function createTranslatingMapper(codecs: ProviderCodecs, workers?: WorkerPoolApi): ProxyMapper {
  return {
    async buildRequest(input) {
      const side = await sidePathRequest(codecs, input);
      if (side !== undefined) return side;
      const ex = await translationFor(codecs, input, workers);
      if (ex === undefined) return buildPassthroughRequest(input);
      const req = await requestOf(ex, input);
      await authorize(ex.provider, ex.context.settings, input, req);
      return req;
    },
    applyResponse: (ctx, res) => applyTranslatedResponse(codecs, ctx, res),
    complete(ctx) {
      // The answer is over (or was never going to come): its usage is final and written once.
      ctx.get(LlmExchangeKey)?.settle(ctx);
    },
  };
}

/** The attempt's translation, or undefined for Pixiu's pure pass-through. */
async function translationFor(codecs: ProviderCodecs, { endpoint, ctx, body }: RequestAssemblyInput, workers: WorkerPoolApi | undefined): Promise<AttemptTranslation | undefined> {
  const api = clientApiOf(ctx);
  if (api === 'unknown' || !codecs.available) return undefined;
  const op = detectOperation(ctx.request.path);
  if (op === undefined || op.api !== api) return undefined;
  const kind = codecs.kindOf(endpoint);
  const clientKind = CLIENT_KINDS[api];
  const clientCodec = codecs.ready(clientKind) ?? (await codecs.get(clientKind));
  const providerCodec = codecs.ready(kind) ?? (await codecs.get(kind));
  const lx = openLlmExchange(ctx, clientCodec);
  if (clientCodec?.client === undefined || providerCodec === undefined) return undefined;
  const parsed = body.length === 0 ? undefined : await parseBody(ctx, providerCodec.api === api);
  const wantUsage = ctx.get(StreamUsageWanted) === true;
  const chatOnly = op.operation === 'responses' && providerCodec.settings.responses_api === 'chat';
  if (kind === OPENAI_KIND && api === 'openai' && !chatOnly && isPlainPassthrough(endpoint.llmMeta, parsed, providerCodec, wantUsage ? clientCodec.client : undefined)) return undefined;
  // Translation recurses over the body: bounded before it starts (a client fault, answered 400).
  assertJsonDepth(parsed);
  const { method, path, headers } = ctx.request;
  // A translated Anthropic stream reports input tokens in message_start, before the upstream has said anything.
  const count = api === 'anthropic' && providerCodec.api !== 'anthropic' && workers !== undefined && isPlainObject(parsed) && parsed.stream === true;
  // An OpenAI embeddings answer carries usage; the Gemini API reports none, so the input is counted here.
  const countEmbed = op.operation === 'embeddings' && providerCodec.api === 'gemini' && workers !== undefined && isPlainObject(parsed);
  const promptTokens = count ? await anthropicPromptTokens(ctx, parsed, workers) : countEmbed ? await embeddingPromptTokens(ctx, parsed, workers) : undefined;
  // With a gateway key the client's credentials never travel upstream, a `?key=` included (codecs keep the query).
  const keyed = typeof endpoint.llmMeta?.api_key === 'string' && endpoint.llmMeta.api_key !== '';
  const query = keyed ? dropCredentialParams(ctx.request.query) : ctx.request.query;
  return createTranslation({
    clientApi: api as WireApi,
    request: { operation: op.operation, method, path, query, headers, body: parsed },
    rawBody: body,
    endpoint,
    clientCodec,
    providerCodec,
    log: requestLog(ctx),
    ...(lx === undefined ? {} : { exchange: lx }),
    wantUsage,
    ...(promptTokens === undefined ? {} : { promptTokens }),
  });
}

/** The client's JSON body; a body that does not parse is sent as bytes on a same-API pass-through, else a 400. */
function parseBody(ctx: RequestContext, sameApi: boolean): Promise<unknown> {
  return sameApi ? ctx.request.json().catch(() => undefined) : ctx.request.json();
}

/**
 * Nothing to change on an OpenAI endpoint: no model_map, no options, no tool-call id the provider would refuse, and
 * no usage to ask for (`usageFor`: the client codec, when a filter wants the usage of a stream).
 */
function isPlainPassthrough(llm: RequestAssemblyInput['endpoint']['llmMeta'], body: unknown, codec: ProviderCodec, usageFor: ClientCodec | undefined): boolean {
  if (llm?.model_map !== undefined || llm?.options !== undefined) return false;
  if (!isPlainObject(body)) return true;
  return codec.upstream.adjustPassthrough?.(body) === undefined && usageFor?.requestStreamUsage?.(body) === undefined;
}

/** Credentials the provider fetches per attempt (Vertex AI's OAuth token): set over whatever the plan carried. */
async function authorize(provider: ProviderCodec, settings: Readonly<Record<string, unknown>>, { endpoint }: RequestAssemblyInput, req: UpstreamRequest): Promise<void> {
  if (provider.upstream.authorize === undefined) return;
  const apiKey = typeof endpoint.llmMeta?.api_key === 'string' ? endpoint.llmMeta.api_key : '';
  Object.assign(req.headers, await provider.upstream.authorize({ settings, apiKey }));
}

async function requestOf(ex: AttemptTranslation, { endpoint, ctx, scheme }: RequestAssemblyInput): Promise<UpstreamRequest> {
  const plan = ex.request;
  const origin = endpointOrigin(endpoint, normalizeScheme(endpoint.llmMeta?.scheme) ?? scheme);
  const upstream = ex.provider.upstream;
  // A signing provider (Bedrock's SigV4) signs each attempt as it will be sent: a retry is signed afresh.
  const signed = upstream.sign === undefined || ex.passthrough ? {} : await upstream.sign({ method: plan.method, origin, path: plan.path, headers: plan.headers, body: plan.body }, ex.context.settings);
  return {
    origin,
    method: plan.method,
    path: plan.path,
    // The codec re-sets the credential in the provider's own header; the client's never travel as they came.
    headers: buildUpstreamHeaders(ctx.request.headers, {
      inject: { 'user-agent': gatewayUserAgent(), ...plan.headers, ...signed },
      dropClientCredentials: true,
      drop: plan.dropHeaders,
    }),
    body: plan.body,
    translation: ex,
  };
}

async function applyTranslatedResponse(codecs: ProviderCodecs, ctx: RequestContext, res: CommittedResponse): Promise<void> {
  const ex = res.request?.translation;
  const lx = ctx.get(LlmExchangeKey);
  if (lx !== undefined) tapCommitted(ctx, lx, res, ex, ex === undefined && lx.clientApi === 'openai' ? codecs.ready(OPENAI_KIND) : undefined);
  if (ex === undefined) return applyPassthroughResponse(ctx, res);
  let out: ClientResponse;
  if (!ex.passthrough && ex.stream && res.status < 300 && !Buffer.isBuffer(res.body) && isProviderStream(ex.provider, res.headers)) {
    const { translator, ...head } = ex.openStream(res.status, res.headers);
    out = { ...head, body: new TranslatedBody(res.body, translator) };
  } else {
    // Unary answers, errors (rendered in the client's error shape) and same-API streams.
    out = await ex.respond({ status: res.status, headers: res.headers, body: res.body });
  }
  ctx.response.status = out.status;
  ctx.response.headers = out.keepUpstreamHeaders ? { ...res.headers, ...out.headers } : { ...out.headers };
  ctx.response.body = out.body;
}
