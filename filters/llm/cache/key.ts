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
  /** Everything but the last user turn's text: the semantic layer's partition (written when first read). */
  readonly partition: string;
  /** The last user turn's text, or undefined when it is not plain text. */
  readonly lastUserText: string | undefined;
  readonly hasTools: boolean;
}

/**
 * One pass over the request: messages normalised shallowly and parameters picked, then written once as canonical JSON
 * with the prompt-cache markers left out at every depth (no deep copy); the partition, which only the semantic layer
 * reads, is written on demand.
 */
export function canonicalRequest(req: ChatRequest, cluster: string, targets: readonly string[]): CanonicalRequest {
  const messages = (req.messages ?? []).map(normaliseMessage);
  const params: Record<string, unknown> = {};
  for (const k in req) {
    const v = (req as unknown as Record<string, unknown>)[k];
    if (EXCLUDED.has(k) || v === undefined || v === null) continue;
    params[k] = v;
  }
  if (params.max_completion_tokens !== undefined && params.max_tokens === undefined) params.max_tokens = params.max_completion_tokens;
  delete params.max_completion_tokens;
  if (typeof params.stop === 'string') params.stop = [params.stop];
  if (Array.isArray(params.stop) && params.stop.length === 0) delete params.stop;
  for (const k in DEFAULTS) if (params[k] === undefined) params[k] = DEFAULTS[k];
  const tools = Array.isArray(req.tools) && req.tools.length > 0 ? (req.tools as unknown[]) : [];
  if (tools.length > 0) params.tool_choice ??= 'auto';
  const head = { v: KEY_VERSION, op: 'chat', cluster, targets, params, tools };
  const full = unmarkedJson({ ...head, messages });
  const last = messages[messages.length - 1];
  const lastUserText = last?.role === 'user' && typeof last.content === 'string' ? last.content : undefined;
  return new Canonical(full, lastUserText, tools.length > 0, head, messages);
}

/** A class rather than a literal with a getter: an accessor in an object literal makes every instance slow to build. */
class Canonical implements CanonicalRequest {
  #partition: string | undefined;

  constructor(
    readonly full: string,
    readonly lastUserText: string | undefined,
    readonly hasTools: boolean,
    private readonly head: object,
    private readonly messages: readonly Record<string, unknown>[],
  ) {}

  get partition(): string {
    return (this.#partition ??= this.lastUserText === undefined ? this.full : unmarkedJson({ ...this.head, messages: this.messages.slice(0, -1) }));
  }
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

/**
 * canonicalJson's exact spelling without `cache_control` members (provider prompt-cache markers, which change the
 * bill, not the answer), written directly rather than through a replacer and sorted copies. Key order is
 * canonicalJson's: array-index keys first in numeric order (as any object lists them), then the rest sorted.
 */
export function unmarkedJson(value: unknown): string {
  return write(value, '') ?? 'null';
}

function write(value: unknown, key: string | number): string | undefined {
  let v = value;
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') v = (v as { toJSON(k: string): unknown }).toJSON(String(key));
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      break;
    case 'bigint':
      return JSON.stringify(v); // throws, as canonicalJson does
    default:
      return undefined;
  }
  if (v === null) return 'null';
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i === 0 ? '' : ',') + (write(v[i], i) ?? 'null');
    return out + ']';
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  // Integer-like keys come first, ascending, in any ordinary object: only the rest needs sorting.
  let ints = 0;
  while (ints < keys.length && isIndex(keys[ints]!)) ints++;
  const rest = ints === 0 ? keys.sort() : keys.slice(ints).sort();
  let out = '{';
  let first = true;
  for (let i = 0; i < ints + rest.length; i++) {
    const k = i < ints ? keys[i]! : rest[i - ints]!;
    if (k === 'cache_control') continue;
    const s = write(o[k], k);
    if (s === undefined) continue;
    out += (first ? '"' : ',"') + (needsEscape(k) ? JSON.stringify(k).slice(1, -1) : k) + '":' + s;
    first = false;
  }
  return out + '}';
}

function isIndex(k: string): boolean {
  const c = k.charCodeAt(0);
  if (c < 48 || c > 57) return false;
  const n = Number(k);
  return String(n) === k && Number.isInteger(n) && n < 4294967295;
}

const PLAIN_KEY = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
function needsEscape(k: string): boolean {
  return !PLAIN_KEY.test(k);
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

/** One message with the pieces that never change the answer removed and equivalent spellings made one (shallow: the writer leaves the markers out). */
function normaliseMessage(m: ChatMessage): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in m) {
    const v = (m as unknown as Record<string, unknown>)[k];
    if (v === undefined || v === null || k === 'cache_control') continue;
    if (k === 'name' && v === '') continue;
    if (k === 'tool_calls' && Array.isArray(v) && v.length === 0) continue;
    out[k] = v;
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
