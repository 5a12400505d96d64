// The upstream request of one attempt: a same-API pass-through (the client's bytes, re-serialised only for a mapped
// model or `llm_meta.options`) or a translated request (client API → pivot → provider API), with the client headers
// that must not travel upstream; and how `llm_meta.options` splits into settings, body overrides and a forced model.
import { DgpError } from '../index.js';
import type { ClientCodec } from './client-codec.js';
import type { ProviderCodec } from './provider-codec.js';
import type { CodecContext } from './codec-context.js';
import type { JsonObject } from './api.js';
import { deepMerge, isPlainObject } from './helpers.js';
import { checkChatRequest } from './pivot-check.js';
import type { TranslationInput, UpstreamRequestPlan } from './translation-types.js';

/** Headers of one API that mean nothing (or something wrong) to another provider. */
const CLIENT_API_HEADERS = ['anthropic-version', 'anthropic-beta', 'openai-organization', 'openai-project', 'openai-beta', 'x-goog-api-client', 'x-goog-user-project'];
const CREDENTIALS = ['authorization', 'x-api-key', 'api-key', 'x-goog-api-key'];
/** Client headers a translated request never forwards. */
export const TRANSLATED_DROP = [...CREDENTIALS, ...CLIENT_API_HEADERS, 'content-length', 'host', 'content-type', 'accept', 'accept-encoding'];

export function planPassthrough(input: TranslationInput, provider: ProviderCodec, client: ClientCodec, cx: CodecContext, overrides: JsonObject, apiKey: string, usageAsk: JsonObject | undefined): UpstreamRequestPlan {
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

export function planTranslated(input: TranslationInput, provider: ProviderCodec, client: ClientCodec, cx: CodecContext, overrides: JsonObject, apiKey: string): UpstreamRequestPlan {
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
export function splitOptions(provider: ProviderCodec, options: unknown): { settings: JsonObject; overrides: JsonObject; forcedModel: string | undefined } {
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
