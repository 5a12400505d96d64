// The upstream request of one attempt (the request half of the translating mapper, translate.ts): the side-path
// check, the attempt's translation when the client's API and the endpoint's provider differ (or a pass-through needs
// adjusting), signing and fetched credentials. Synchronous for the usual request: codecs loaded, the body already
// parsed by an earlier filter, no signing or fetched credential.
import { buildUpstreamHeaders, dropCredentialParams, endpointOrigin, gatewayUserAgent, type RequestContext, type WorkerPoolApi } from '../../../core/index.js';
import { StreamUsageWanted, clientApiOf, createTranslation, detectOperation, isPlainObject, type ClientCodec, type ProviderCodec, type AttemptTranslation, type WireApi } from '../../../core/llm/index.js';
import { assertJsonDepth } from './json-depth.js';
import { buildPassthroughRequest, type RequestAssemblyInput, type UpstreamRequest } from './mapper.js';
import { normalizeScheme } from './options.js';
import { openLlmExchange, requestLog } from './llm-exchange.js';
import { OPENAI_KIND, type ProviderCodecs } from './provider-codecs.js';
import { anthropicPromptTokens, embeddingPromptTokens } from './prompt-count.js';

type Operation = ReturnType<typeof detectOperation>;

const CLIENT_KINDS: Readonly<Record<WireApi, string>> = {
  openai: 'dgp.adapter.provider.openai',
  anthropic: 'dgp.adapter.provider.anthropic',
  gemini: 'dgp.adapter.provider.gemini',
};

/** `op`: detectOperation of the request's path, found once by the mapper. */
export function translatedRequest(codecs: ProviderCodecs, input: RequestAssemblyInput, workers: WorkerPoolApi | undefined, op: Operation): UpstreamRequest | Promise<UpstreamRequest> {
  const ex = translationFor(codecs, input, workers, op);
  return ex instanceof Promise ? ex.then((t) => requestFor(t, input)) : requestFor(ex, input);
}

function requestFor(ex: AttemptTranslation | undefined, input: RequestAssemblyInput): UpstreamRequest | Promise<UpstreamRequest> {
  if (ex === undefined) return buildPassthroughRequest(input);
  const req = requestOf(ex, input);
  if (ex.provider.upstream.authorize === undefined) return req;
  return Promise.resolve(req).then(async (r) => {
    await authorize(ex.provider, ex.context.settings, input, r);
    return r;
  });
}

/** What translationFor needs before it can decide: the two codecs and the parsed body (sync when all are at hand). */
interface Resolved {
  clientCodec: ProviderCodec | undefined;
  providerCodec: ProviderCodec | undefined;
  parsed: unknown;
  promptTokens: number | undefined;
}

/** The attempt's translation, or undefined for Pixiu's pure pass-through; a promise only when something must be waited for. */
function translationFor(codecs: ProviderCodecs, input: RequestAssemblyInput, workers: WorkerPoolApi | undefined, op: Operation): AttemptTranslation | undefined | Promise<AttemptTranslation | undefined> {
  const { endpoint, ctx, body } = input;
  const api = clientApiOf(ctx);
  if (api === 'unknown' || !codecs.available) return undefined;
  if (op === undefined || op.api !== api) return undefined;
  const kind = codecs.kindOf(endpoint);
  const clientKind = CLIENT_KINDS[api];
  const clientCodec = codecs.ready(clientKind);
  const providerCodec = codecs.ready(kind);
  const known = body.length === 0 ? { value: undefined } : ctx.request.jsonIfParsed?.();
  if (clientCodec === undefined || providerCodec === undefined || known === undefined) {
    return resolveSlowly(codecs, input, workers, clientKind, kind, op.operation).then((r) => translationWith(input, kind, api, op.operation, r));
  }
  const lx = openLlmExchange(ctx, clientCodec);
  if (clientCodec.client === undefined) return undefined;
  if (needsPromptCount(api, op.operation, providerCodec, workers, known.value)) {
    return promptCount(ctx, api, known.value, workers!).then((promptTokens) => translationWith(input, kind, api, op.operation, { clientCodec, providerCodec, parsed: known.value, promptTokens }, lx));
  }
  return translationWith(input, kind, api, op.operation, { clientCodec, providerCodec, parsed: known.value, promptTokens: undefined }, lx);
}

async function resolveSlowly(codecs: ProviderCodecs, { ctx, body }: RequestAssemblyInput, workers: WorkerPoolApi | undefined, clientKind: string, kind: string, operation: string): Promise<Resolved> {
  const api = clientApiOf(ctx) as WireApi;
  const clientCodec = codecs.ready(clientKind) ?? (await codecs.get(clientKind));
  const providerCodec = codecs.ready(kind) ?? (await codecs.get(kind));
  if (clientCodec?.client === undefined || providerCodec === undefined) return { clientCodec, providerCodec, parsed: undefined, promptTokens: undefined };
  const parsed = body.length === 0 ? undefined : await parseBody(ctx, providerCodec.api === api);
  const promptTokens = needsPromptCount(api, operation, providerCodec, workers, parsed) ? await promptCount(ctx, api, parsed, workers!) : undefined;
  return { clientCodec, providerCodec, parsed, promptTokens };
}

/**
 * A translated Anthropic stream reports input tokens in message_start, before the upstream has said anything; an
 * OpenAI embeddings answer carries usage where the Gemini API reports none: both counted here, on the worker pool.
 */
function needsPromptCount(api: WireApi, operation: string, provider: ProviderCodec, workers: WorkerPoolApi | undefined, parsed: unknown): boolean {
  if (workers === undefined || !isPlainObject(parsed)) return false;
  if (api === 'anthropic' && provider.api !== 'anthropic') return parsed.stream === true;
  return operation === 'embeddings' && provider.api === 'gemini';
}

function promptCount(ctx: RequestContext, api: WireApi, parsed: unknown, workers: WorkerPoolApi): Promise<number | undefined> {
  const body = parsed as Record<string, unknown>;
  return api === 'anthropic' ? anthropicPromptTokens(ctx, body, workers) : embeddingPromptTokens(ctx, body, workers);
}

function translationWith(
  { endpoint, ctx, body }: RequestAssemblyInput,
  kind: string,
  api: WireApi,
  operation: string,
  { clientCodec, providerCodec, parsed, promptTokens }: Resolved,
  lx = openLlmExchange(ctx, clientCodec),
): AttemptTranslation | undefined {
  if (clientCodec?.client === undefined || providerCodec === undefined) return undefined;
  const wantUsage = ctx.get(StreamUsageWanted) === true;
  const chatOnly = operation === 'responses' && providerCodec.settings.responses_api === 'chat';
  if (kind === OPENAI_KIND && api === 'openai' && !chatOnly && isPlainPassthrough(endpoint.llmMeta, parsed, providerCodec, wantUsage ? clientCodec.client : undefined)) return undefined;
  // Translation recurses over the body: bounded before it starts (a client fault, answered 400).
  assertJsonDepth(parsed);
  const { method, path, headers } = ctx.request;
  // With a gateway key the client's credentials never travel upstream, a `?key=` included (codecs keep the query).
  const keyed = typeof endpoint.llmMeta?.api_key === 'string' && endpoint.llmMeta.api_key !== '';
  const query = keyed ? dropCredentialParams(ctx.request.query) : ctx.request.query;
  return createTranslation({
    clientApi: api,
    request: { operation: operation as never, method, path, query, headers, body: parsed },
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

function requestOf(ex: AttemptTranslation, input: RequestAssemblyInput): UpstreamRequest | Promise<UpstreamRequest> {
  const plan = ex.request;
  const { endpoint, scheme } = input;
  const origin = endpointOrigin(endpoint, normalizeScheme(endpoint.llmMeta?.scheme) ?? scheme);
  const upstream = ex.provider.upstream;
  if (upstream.sign === undefined || ex.passthrough) return signedRequest(ex, input, origin, undefined);
  // A signing provider (Bedrock's SigV4) signs each attempt as it will be sent: a retry is signed afresh.
  return Promise.resolve(upstream.sign({ method: plan.method, origin, path: plan.path, headers: plan.headers, body: plan.body }, ex.context.settings)).then((signed) =>
    signedRequest(ex, input, origin, signed),
  );
}

function signedRequest(ex: AttemptTranslation, { ctx }: RequestAssemblyInput, origin: string, signed: Record<string, string> | undefined): UpstreamRequest {
  const plan = ex.request;
  return {
    origin,
    method: plan.method,
    path: plan.path,
    // The codec re-sets the credential in the provider's own header; the client's never travel as they came.
    headers: buildUpstreamHeaders(ctx.request.headers, {
      inject: signed === undefined ? { 'user-agent': gatewayUserAgent(), ...plan.headers } : { 'user-agent': gatewayUserAgent(), ...plan.headers, ...signed },
      dropClientCredentials: true,
      drop: plan.dropHeaders,
    }),
    body: plan.body,
    translation: ex,
  };
}
