// Finds token usage in the JSON objects of any provider shape — OpenAI chat/completions/embeddings/responses, Anthropic
// (message_start + cumulative message_delta), Gemini (usageMetadata, cumulative) — for answers the proxy's LLM
// exchange does not read (no exchange, or a compressed body). Every usage object is merged field by field (latest
// value wins), never added; the numbers come from core/llm/usage.ts, where every provider quirk is handled.

import { normalizeAnyUsage, normalizeGeminiUsage, type LlmUsage } from '../../../core/llm/index.js';
import { usageText, type ScannedUsage } from './usage-bytes.js';

export interface UsageNumbers {
  /** All input tokens, cached and cache-write tokens included (OpenAI's prompt_tokens meaning). */
  prompt: number;
  /** All output tokens, reasoning included. */
  completion: number;
  total: number;
  /** Input tokens served from the provider's prompt cache. */
  cached: number;
  reasoning: number;
}

type Obj = Record<string, unknown>;

export class UsageTracker {
  /** The model the response names, when any. */
  model: string | undefined;
  /** Merged usage fields as the upstream sent them (for log_to_console). */
  readonly raw: Obj = {};
  private readonly gemini: Obj = {};
  private seen = false;
  /** A unary body's usage read from its bytes (usage-bytes.ts); turned into `raw` only when something needs it. */
  private scanned: ScannedUsage | undefined;

  get found(): boolean {
    return this.seen;
  }

  /** Looks at one parsed JSON value: a unary body, one SSE event's data, or an array of chunks (Gemini JSON stream). */
  observe(value: unknown): void {
    this.materialize();
    if (Array.isArray(value)) {
      for (const v of value) this.observe(v);
      return;
    }
    if (!isObj(value)) return;
    const message = isObj(value.message) ? value.message : undefined;
    const response = isObj(value.response) ? value.response : undefined;
    const model = str(value.model) ?? str(message?.model) ?? str(response?.model) ?? str(value.modelVersion);
    if (model) this.model = model;
    for (const usage of [value.usage, message?.usage, response?.usage]) if (isObj(usage)) this.merge(this.raw, usage);
    if (isObj(value.usageMetadata)) this.merge(this.gemini, value.usageMetadata);
  }

  /** Merges tail-extracted pieces (see json-tail.ts) of a body too big to parse whole. */
  observeParts(parts: { usage?: Obj; usageMetadata?: Obj; model?: string }): void {
    this.materialize();
    if (parts.model) this.model = parts.model;
    if (parts.usage) this.merge(this.raw, parts.usage);
    if (parts.usageMetadata) this.merge(this.gemini, parts.usageMetadata);
  }

  /** A unary body's usage and model read from its bytes: the same numbers observe() would find in the parsed body. */
  observeScanned(usage: ScannedUsage, model: string): void {
    this.materialize();
    this.model = model;
    this.scanned = usage;
    if (usage.seen) this.seen = true;
  }

  result(): UsageNumbers | undefined {
    if (!this.seen) return undefined;
    if (this.scanned !== undefined && Object.keys(this.raw).length === 0 && Object.keys(this.gemini).length === 0) return fromScanned(this.scanned);
    this.materialize();
    if (Object.keys(this.gemini).length > 0) return fromGemini(this.gemini);
    return fromUsage(this.raw);
  }

  /** The usage object to print for log_to_console (Gemini's usageMetadata or the merged usage). */
  rawForLog(): Obj {
    this.materialize();
    return Object.keys(this.gemini).length > 0 ? this.gemini : this.raw;
  }

  private materialize(): void {
    const s = this.scanned;
    if (s === undefined) return;
    this.scanned = undefined;
    this.merge(this.raw, JSON.parse(usageText(s)) as Obj);
  }

  private merge(into: Obj, from: Obj): void {
    for (const [k, v] of Object.entries(from)) {
      if (v === null || v === undefined) continue;
      if (isObj(v)) into[k] = { ...(isObj(into[k]) ? (into[k] as Obj) : {}), ...v };
      else into[k] = v;
      if (typeof v === 'number') this.seen = true;
    }
  }
}

/** Provider quirks live in core/llm/usage.ts; the tokenizer's numbers are its normalised form. */
function numbersOf(u: LlmUsage): UsageNumbers {
  return { prompt: u.input, completion: u.output, total: u.total, cached: u.cache_read, reasoning: u.reasoning };
}

const fromUsage = (u: Obj): UsageNumbers => numbersOf(normalizeAnyUsage(u));
const fromGemini = (g: Obj): UsageNumbers => numbersOf(normalizeGeminiUsage(g));

/** The scanned fields (NaN = absent) as the usage object they were read from, for the same normalisation. */
function fromScanned(u: ScannedUsage): UsageNumbers {
  const o: Obj = {};
  for (const k of ['prompt_tokens', 'completion_tokens', 'total_tokens', 'input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'] as const) {
    if (!Number.isNaN(u[k])) o[k] = u[k];
  }
  if (!Number.isNaN(u.prompt_cached)) o.prompt_tokens_details = { cached_tokens: u.prompt_cached };
  if (!Number.isNaN(u.input_cached)) o.input_tokens_details = { cached_tokens: u.input_cached };
  if (!Number.isNaN(u.completion_reasoning)) o.completion_tokens_details = { reasoning_tokens: u.completion_reasoning };
  if (!Number.isNaN(u.output_reasoning)) o.output_tokens_details = { reasoning_tokens: u.output_reasoning };
  return fromUsage(o);
}

/**
 * False only when one raw SSE event (its bytes) cannot carry a usage report: no `"usage"` or `"usageMetadata"` member
 * whose value is an object. Lets the stream observer skip decoding and JSON.parse for content events (OpenAI sends
 * `"usage":null` in every chunk once include_usage is on). Inside a JSON string a quote is escaped, so a match that is
 * not a real key (a key that itself ends in `\"usage`) only costs one parse. A line break between the key and its
 * value (JSON split over `data:` lines) also answers true: a report is never missed.
 */
export function mayHoldUsage(event: Buffer): boolean {
  for (let at = event.indexOf(USAGE_KEY); at !== -1; at = event.indexOf(USAGE_KEY, at + USAGE_KEY.length)) {
    let i = at + USAGE_KEY.length;
    if (event[i] === 0x4d /* M */ && event.toString('latin1', i, i + 8) === 'Metadata') i += 8;
    if (event[i] !== 0x22 /* " */) continue;
    i = skipSpace(event, i + 1);
    if (event[i] === 0x0a) return true;
    if (event[i] !== 0x3a /* : */) continue;
    i = skipSpace(event, i + 1);
    if (event[i] === 0x7b /* { */ || event[i] === 0x0a) return true;
  }
  return false;
}

const USAGE_KEY = Buffer.from('"usage');

/**
 * mayHoldUsage for the events of one chunk with one search of the chunk, not one per event (Buffer#indexOf costs
 * ~0.3 µs a call on small buffers, and a stream chunk often carries tens of events): an event that is a slice of
 * `chunk` without a `"usage` in it is ruled out without a search of its own.
 */
export class ChunkUsageScan {
  #next: number;

  constructor(private readonly chunk: Buffer) {
    this.#next = chunk.indexOf(USAGE_KEY);
  }

  /** Events must be asked in stream order. */
  mayHold(event: Buffer): boolean {
    const start = event.byteOffset - this.chunk.byteOffset;
    if (event.buffer !== this.chunk.buffer || start < 0 || start + event.length > this.chunk.length) return mayHoldUsage(event);
    if (this.#next !== -1 && this.#next < start) this.#next = this.chunk.indexOf(USAGE_KEY, start);
    return this.#next !== -1 && this.#next < start + event.length && mayHoldUsage(event);
  }
}

function skipSpace(b: Buffer, i: number): number {
  for (let c = b[i]; c === 0x20 || c === 0x0d || c === 0x09; c = b[++i]);
  return i;
}

/** The generated text in one response object or stream event, for local counting when no usage arrives. */
export function completionText(value: unknown): string {
  if (Array.isArray(value)) return value.map(completionText).join('');
  if (!isObj(value)) return '';
  let out = '';
  if (Array.isArray(value.choices)) {
    for (const c of value.choices) {
      if (!isObj(c)) continue;
      out += str(c.text) ?? '';
      for (const m of [c.delta, c.message]) if (isObj(m)) out += messageText(m);
    }
  }
  const type = str(value.type);
  if (type === 'content_block_delta' && isObj(value.delta)) {
    out += str(value.delta.text) ?? str(value.delta.partial_json) ?? str(value.delta.thinking) ?? '';
  } else if (type === 'content_block_start' && isObj(value.content_block)) {
    out += str(value.content_block.text) ?? str(value.content_block.name) ?? '';
  } else if (type === 'message' && Array.isArray(value.content)) {
    out += value.content.map(blockText).join('');
  } else if (type === 'response.output_text.delta' || type === 'response.function_call_arguments.delta') {
    out += str(value.delta) ?? '';
  }
  if (Array.isArray(value.candidates)) {
    for (const cand of value.candidates) {
      const parts = isObj(cand) && isObj(cand.content) ? cand.content.parts : undefined;
      if (Array.isArray(parts)) out += parts.map(blockText).join('');
    }
  }
  if (value.object === 'response' && Array.isArray(value.output)) {
    for (const item of value.output) if (isObj(item) && Array.isArray(item.content)) out += item.content.map(blockText).join('');
  }
  return out;
}

function messageText(m: Obj): string {
  let out = (str(m.content) ?? '') + (str(m.reasoning_content) ?? '') + (str(m.refusal) ?? '');
  if (Array.isArray(m.tool_calls)) {
    for (const call of m.tool_calls) {
      const fn = isObj(call) && isObj(call.function) ? call.function : undefined;
      out += (str(fn?.name) ?? '') + (str(fn?.arguments) ?? '');
    }
  }
  return out;
}

/** Text of a content block / part: text, thinking, or a tool call's name and JSON input (Anthropic, Gemini). */
function blockText(b: unknown): string {
  if (!isObj(b)) return '';
  if (typeof b.text === 'string') return b.text;
  if (typeof b.thinking === 'string') return b.thinking;
  if (b.type === 'tool_use') return (str(b.name) ?? '') + JSON.stringify(b.input ?? {});
  if (isObj(b.functionCall)) return (str(b.functionCall.name) ?? '') + JSON.stringify(b.functionCall.args ?? {});
  return '';
}

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
