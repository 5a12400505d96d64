// Assembles the vertex-ai codec: Gemini models (publishers/google, generateContent) and Claude models
// (publishers/anthropic, rawPredict with anthropic_version in the body and no model field) on Vertex AI, reusing the
// gemini and anthropic codecs for every translation; only paths and auth differ. Auth is an OAuth2 access token of
// a service account (token-source.ts), fetched per attempt by authorize().
import { isPlainObject, type CodecContext, type JsonObject, type ProviderCodec, type UpstreamCodec, type UpstreamTarget } from '../../../core/llm/index.js';
import { createAnthropicCodec } from '../anthropic/codec.js';
import { parseAnthropicError } from '../anthropic/errors.js';
import { createGeminiCodec } from '../gemini/codec.js';
import { parseGeminiError } from '../gemini/errors.js';
import { VertexCredentials } from './errors.js';
import { VERTEX_SETTING_KEYS, type VertexAiConfig } from './schema.js';
import { ServiceAccounts } from './service-account.js';
import { TokenSource } from './token-source.js';

type Target = { path: string; headers: Record<string, string> };

/** `/v1/projects/{project}/locations/{location}/publishers/{publisher}/models/{model}` */
function modelPath(t: UpstreamTarget, accounts: ServiceAccounts, publisher: 'google' | 'anthropic'): string {
  const s = t.settings;
  const project = typeof s.project_id === 'string' && s.project_id !== '' ? s.project_id : accounts.resolve(s, t.apiKey)?.projectId;
  if (project === undefined) {
    throw VertexCredentials('the vertex-ai endpoint names no project', { hint: 'set project_id in the plugin config or llm_meta.options (or use a service account whose key file has project_id)' });
  }
  const location = typeof s.location === 'string' && s.location !== '' ? s.location : 'us-central1';
  // Vertex model ids carry versions after '@' (claude-sonnet-4-5@20250929), which paths may hold unescaped.
  const model = encodeURIComponent(t.model.replace(/^(models|publishers\/[^/]+\/models)\//, '')).replace(/%40/g, '@');
  return `/v1/projects/${encodeURIComponent(project)}/locations/${encodeURIComponent(location)}/publishers/${publisher}/models/${model}`;
}

function geminiTarget(accounts: ServiceAccounts): (t: UpstreamTarget) => Target {
  return (t) => {
    const base = modelPath(t, accounts, 'google');
    if (t.passthrough) {
      // The client's method (generateContent, streamGenerateContent, countTokens) and query (alt=sse) without `key`.
      const method = /:([A-Za-z]+)$/.exec(t.passthrough.path)?.[1] ?? t.operation;
      const q = new URLSearchParams(t.passthrough.query);
      q.delete('key');
      const query = q.toString();
      return { path: `${base}:${method}${query === '' ? '' : `?${query}`}`, headers: {} };
    }
    return { path: `${base}:${t.operation}${t.stream ? '?alt=sse' : ''}`, headers: {} };
  };
}

function anthropicTarget(accounts: ServiceAccounts): (t: UpstreamTarget) => Target {
  return (t) => ({ path: `${modelPath(t, accounts, 'anthropic')}:${t.stream ? 'streamRawPredict' : 'rawPredict'}`, headers: {} });
}

/** Claude on Vertex: the model is in the path, the API version in the body. */
function toVertexAnthropicBody(body: JsonObject, cx: CodecContext | undefined): JsonObject {
  const out: JsonObject = { anthropic_version: String(cx?.settings.anthropic_version ?? 'vertex-2023-10-16'), ...body };
  delete out.model;
  return out;
}

/** Vertex's own front end answers Google-shaped errors (auth, quota, unknown model); Claude's are Anthropic-shaped. */
function parseVertexAnthropicError(status: number, headers: Parameters<UpstreamCodec['parseError']>[1], body: Buffer): ReturnType<UpstreamCodec['parseError']> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const google = (Array.isArray(parsed) ? parsed[0] : parsed) as unknown;
  if (isPlainObject(google) && isPlainObject(google.error) && typeof google.error.status === 'string') return parseGeminiError(status, headers, body);
  return parseAnthropicError(status, headers, body);
}

export function createVertexAiCodec(config: Readonly<VertexAiConfig>, configDir: string): ProviderCodec {
  const accounts = new ServiceAccounts(configDir);
  const tokens = new TokenSource();
  const settings = Object.freeze({
    location: 'us-central1',
    publisher: 'auto',
    anthropic_version: 'vertex-2023-10-16',
    default_max_tokens: 4096,
    json_schema_mode: 'native',
    thought_signature_fallback: 'skip_thought_signature_validator',
    response_model: 'requested',
    ...config,
  });
  const authorize: UpstreamCodec['authorize'] = async ({ settings: s, apiKey }) => {
    const sa = accounts.resolve(s, apiKey);
    if (sa !== undefined) return { authorization: `Bearer ${await tokens.token(sa)}` };
    // No service account: an api_key that is not JSON is an access token minted elsewhere (gcloud auth print-access-token).
    if (apiKey !== '') return { authorization: `Bearer ${apiKey}` };
    throw VertexCredentials('the vertex-ai endpoint has no service account', { hint: 'set service_account_json or service_account_file (plugin config or llm_meta.options), or GOOGLE_APPLICATION_CREDENTIALS' });
  };
  const gem = createGeminiCodec({});
  const ant = createAnthropicCodec({});
  const gemini: ProviderCodec = {
    name: 'vertex-ai',
    api: 'gemini',
    settings,
    upstream: { ...gem.upstream, settingKeys: VERTEX_SETTING_KEYS, target: geminiTarget(accounts), authorize },
  };
  const anthropic: ProviderCodec = {
    name: 'vertex-ai',
    api: 'anthropic',
    settings,
    upstream: {
      ...ant.upstream,
      settingKeys: VERTEX_SETTING_KEYS,
      target: anthropicTarget(accounts),
      fromChat: (req, cx) => toVertexAnthropicBody(ant.upstream.fromChat(req, cx), cx),
      adjustPassthrough: (body, cx) => toVertexAnthropicBody(ant.upstream.adjustPassthrough?.(body) ?? body, cx),
      parseError: parseVertexAnthropicError,
      authorize,
    },
  };
  return {
    ...gemini,
    select(s, model) {
      const publisher = s.publisher === 'google' || s.publisher === 'anthropic' ? s.publisher : /^claude/i.test(model) ? 'anthropic' : 'google';
      return publisher === 'anthropic' ? anthropic : gemini;
    },
  };
}
