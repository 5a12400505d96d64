// The cache key: a SHA-256 of a canonical, versioned form of the request in pivot terms, so an OpenAI, an Anthropic
// and a Gemini client asking the same thing of the same upstream model meet on one entry. It holds what changes the
// answer — where the request would go (cluster, and each endpoint's provider, upstream model after model_map and
// forced options), the messages, the tools and the generation parameters with defaults filled in — and leaves out
// what does not (stream, stream_options, user, metadata, provider prompt-cache markers, empty names).
import { createHash } from 'node:crypto';
import type { EndpointView, HashOutput, WorkerPoolApi } from '../../../core/index.js';
import { isPlainObject, resolveModel, type ChatMessage, type ChatRequest } from '../../../core/llm/index.js';

/** Bumped whenever the canonical form changes, so old entries are never read with a new meaning. */
export const KEY_VERSION = 1;

/** Request fields that never change the answer. */
const EXCLUDED = new Set(['model', 'messages', 'tools', 'stream', 'stream_options', 'user', 'metadata', 'store', 'service_tier', 'prompt_cache_key', 'safety_identifier', 'cache_control']);

/** Parameters whose absence means a known value: absent and default hash alike. */
const DEFAULTS: Record<string, unknown> = { temperature: 1, top_p: 1, n: 1, presence_penalty: 0, frequency_penalty: 0, parallel_tool_calls: true, logprobs: false };

/** Targets per endpoint list (the cluster manager hands out a new list when endpoints change) and model. */
const targetMemo = new WeakMap<readonly EndpointView[], Map<string, string[]>>();

/** Where the request would be sent, one entry per endpoint of the route's cluster (sorted, deduplicated). */
export function targetsOf(endpoints: readonly EndpointView[], model: string): string[] {
  let byModel = targetMemo.get(endpoints);
  if (byModel === undefined) targetMemo.set(endpoints, (byModel = new Map()));
  let t = byModel.get(model);
  if (t === undefined) {
    // Bounded: model names come from clients; a flood of distinct ones starts the memo over.
    if (byModel.size >= 1024) byModel.clear();
    byModel.set(model, (t = computeTargets(endpoints, model)));
  }
  return t;
}

function computeTargets(endpoints: readonly EndpointView[], model: string): string[] {
  const out = new Set<string>();
  for (const ep of endpoints) {
    const llm = ep.llmMeta;
    const options = isPlainObject(llm?.options) ? llm.options : {};
    const forced = typeof options.model === 'string' && options.model !== '' ? options.model : undefined;
    const provider = typeof llm?.provider === 'string' && llm.provider !== '' ? llm.provider.toLowerCase() : 'openai';
    out.add(canonicalJson({ provider, model: forced ?? resolveModel(llm?.model_map, model), options }));
  }
  return [...out].sort();
}

/** The canonical request: everything the key hashes. `text` (the last user turn) is split off for the semantic layer. */
export interface CanonicalRequest {
  /** The full canonical form, hashed into the exact key. */
  readonly full: string;
  /** Everything but the last user turn's text: the semantic layer's partition. */
  readonly partition: string;
  /** The last user turn's text, or undefined when it is not plain text. */
  readonly lastUserText: string | undefined;
  readonly hasTools: boolean;
}

export function canonicalRequest(req: ChatRequest, cluster: string, targets: readonly string[]): CanonicalRequest {
  const messages = (req.messages ?? []).map(normaliseMessage);
  const params: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(req)) {
    if (EXCLUDED.has(k) || v === undefined || v === null) continue;
    params[k] = stripMarkers(v);
  }
  if (params.max_completion_tokens !== undefined && params.max_tokens === undefined) params.max_tokens = params.max_completion_tokens;
  delete params.max_completion_tokens;
  if (typeof params.stop === 'string') params.stop = [params.stop];
  if (Array.isArray(params.stop) && params.stop.length === 0) delete params.stop;
  for (const [k, def] of Object.entries(DEFAULTS)) if (params[k] === undefined) params[k] = def;
  const tools = Array.isArray(req.tools) && req.tools.length > 0 ? (stripMarkers(req.tools) as unknown[]) : [];
  if (tools.length > 0) params.tool_choice ??= 'auto';
  const head = { v: KEY_VERSION, op: 'chat', cluster, targets, params, tools };
  const full = canonicalJson({ ...head, messages });
  const last = messages.at(-1);
  const lastUserText = last?.role === 'user' && typeof last.content === 'string' ? last.content : undefined;
  const partition = canonicalJson({ ...head, messages: lastUserText === undefined ? messages : messages.slice(0, -1) });
  return { full, partition, lastUserText, hasTools: tools.length > 0 };
}

/** JSON with object keys sorted at every depth: one spelling per value (stable across key order and engines). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

/** Lower-case hex SHA-256 (the worker pool's `hash` task gives the same digest for the same text). */
export function hashOf(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

/** Above this many characters the key is hashed in the worker pool, off the event loop. */
export const WORKER_HASH_CHARS = 256 * 1024;

/** The key hash of a canonical request, in the worker pool when it is large. */
export async function keyHashOf(text: string, workers: Pick<WorkerPoolApi, 'run'>): Promise<string> {
  if (text.length < WORKER_HASH_CHARS) return hashOf(text);
  return (await workers.run<HashOutput>('hash', { text })).sha256;
}

/** One message with the pieces that never change the answer removed and equivalent spellings made one. */
function normaliseMessage(m: ChatMessage): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m)) {
    if (v === undefined || v === null || k === 'cache_control') continue;
    if (k === 'name' && v === '') continue;
    if (k === 'tool_calls' && Array.isArray(v) && v.length === 0) continue;
    out[k] = stripMarkers(v);
  }
  if (out.role === 'developer') out.role = 'system';
  out.content = normaliseContent(out.content);
  if (out.content === undefined) delete out.content;
  return out;
}

/** Text-only part lists become one string (an Anthropic system block and an OpenAI system string hash alike). */
function normaliseContent(c: unknown): unknown {
  if (!Array.isArray(c)) return c === '' ? undefined : c;
  if (c.every((p) => isPlainObject(p) && p.type === 'text' && typeof p.text === 'string')) {
    const text = c.map((p) => (p as { text: string }).text).join('');
    return text === '' ? undefined : text;
  }
  return c;
}

/** Deep copy without provider prompt-cache markers (`cache_control`), which change the bill, not the answer. */
function stripMarkers(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripMarkers);
  if (!isPlainObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (k !== 'cache_control' && x !== undefined) out[k] = stripMarkers(x);
  return out;
}
