// A record served to the client that asked, in its own API, through the LLM layer's client codecs: a unary answer is
// the pivot completion rendered by `fromChat`; a stream is pivot chunks — the role, then reasoning, text and tool-call
// arguments in word-sized deltas, the finish, a usage chunk (the OpenAI encoder keeps it only when this request set
// stream_options.include_usage) — rendered by the client's stream encoder (OpenAI chunks, Anthropic's event
// sequence, Gemini's alt=sse or JSON array). Every hit gets a new id and timestamp.
import { randomFillSync } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChatChunk, ChatCompletion, ChatUsage, ClientCodec, CodecContext, CodecLog, JsonObject, LlmUsage, StreamItem } from '../../../core/llm/index.js';
import type { CacheRecord, RecordedChoice } from './record.js';
import { pieceWriter, type TextPiece } from './replay-template.js';

export interface ReplayTarget {
  readonly client: ClientCodec;
  readonly settings: Readonly<JsonObject>;
  readonly log: CodecLog;
  readonly clientModel: string;
  readonly stream: boolean;
  readonly includeUsage: boolean;
  readonly query: string;
  /** The client's wire API (openai, anthropic, gemini): which encoders may be templated. */
  readonly api: string;
}

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Random bytes drawn 24 at a time from a pool refilled in one call (not one crypto call per id). */
const pool = Buffer.alloc(24 * 256);
let poolAt = pool.length;

export function newId(prefix: string): string {
  if (poolAt + 24 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  let s = prefix;
  for (let i = poolAt; i < poolAt + 24; i++) s += ID_CHARS[pool[i]! % ID_CHARS.length];
  poolAt += 24;
  return s;
}

export function contextOf(t: ReplayTarget, rec: Pick<CacheRecord, 'client_model' | 'model'>): CodecContext {
  // The client is told the model it would have been told on a miss: the entry's answer if it asked by the same name.
  const reported = rec.client_model === t.clientModel ? rec.model : t.clientModel;
  return {
    log: t.log,
    provider: 'cache',
    newId,
    now: () => Math.floor(Date.now() / 1000),
    models: { client: t.clientModel, upstream: rec.model, reported },
    stream: t.stream,
    includeUsage: t.includeUsage,
    clientQuery: t.query,
    settings: t.settings,
  };
}

export function chatUsageOf(u: LlmUsage | null): ChatUsage | undefined {
  if (u === null) return undefined;
  const out: ChatUsage = { prompt_tokens: u.input, completion_tokens: u.output, total_tokens: u.total };
  if (u.cache_read > 0) out.prompt_tokens_details = { cached_tokens: u.cache_read };
  if (u.reasoning > 0) out.completion_tokens_details = { reasoning_tokens: u.reasoning };
  return out;
}

function messageOf(c: RecordedChoice): ChatCompletion['choices'][number]['message'] {
  const m: ChatCompletion['choices'][number]['message'] & { reasoning_content?: string } = { role: 'assistant', content: c.text === '' && c.tool_calls.length > 0 ? null : c.text };
  if (c.tool_calls.length > 0) m.tool_calls = c.tool_calls.map((t) => ({ id: t.id, type: 'function' as const, function: { name: t.name, arguments: t.arguments } }));
  if (c.refusal !== '') m.refusal = c.refusal;
  if (c.reasoning !== '') m.reasoning_content = c.reasoning;
  return m;
}

/** The unary body in the client's API. */
export function replayUnary(t: ReplayTarget, rec: CacheRecord): Buffer {
  const cx = contextOf(t, rec);
  const chat: ChatCompletion = {
    id: newId('chatcmpl-'),
    object: 'chat.completion',
    created: cx.now(),
    model: cx.models.reported,
    choices: rec.choices.map((c, index) => ({ index, message: messageOf(c), logprobs: null, finish_reason: c.finish })),
  };
  const usage = chatUsageOf(rec.usage);
  if (usage !== undefined) chat.usage = usage;
  return Buffer.from(JSON.stringify(t.client.fromChat(chat, cx)));
}

/** Word-sized pieces: each word with the spaces before it, so joining them gives the text back exactly. */
export function words(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? (text === '' ? [] : [text]);
}

export type ChunkBase = Pick<ChatChunk, 'id' | 'object' | 'created' | 'model'>;
export type Delta = ChatChunk['choices'][number]['delta'] & { reasoning_content?: string };

export function chunkItem(base: ChunkBase, index: number, delta: Delta, finish: ChatChunk['choices'][number]['finish_reason'] = null): StreamItem {
  return { type: 'chunk', chunk: { ...base, choices: [{ index, delta, logprobs: null, finish_reason: finish }] } };
}

/** The pivot items of a replayed stream, in order. */
export function streamItemsOf(rec: CacheRecord, cx: CodecContext): StreamItem[] {
  const base: ChunkBase = { id: newId('chatcmpl-'), object: 'chat.completion.chunk', created: cx.now(), model: cx.models.reported };
  return replaySteps(rec, base).map((s) => (s.type === 'piece' ? chunkItem(base, s.index, { [s.field]: s.text }) : s));
}

/**
 * The steps of a replayed stream: pivot items, and the word-sized text deltas as pieces (each one chunk with a single
 * delta field), which a writer may encode from a template instead of building a chunk per word.
 */
export function replaySteps(rec: CacheRecord, base: ChunkBase): Array<StreamItem | TextPiece> {
  const chunk = (index: number, delta: Delta, finish: ChatChunk['choices'][number]['finish_reason'] = null): StreamItem => chunkItem(base, index, delta, finish);
  const items: Array<StreamItem | TextPiece> = [];
  rec.choices.forEach((c, index) => {
    items.push(chunk(index, { role: 'assistant', content: '' }));
    for (const w of words(c.reasoning)) items.push({ type: 'piece', index, field: 'reasoning_content', text: w });
    for (const w of words(c.text)) items.push({ type: 'piece', index, field: 'content', text: w });
    if (c.refusal !== '') items.push(chunk(index, { refusal: c.refusal }));
    c.tool_calls.forEach((tc, i) => {
      items.push(chunk(index, { tool_calls: [{ index: i, id: tc.id, type: 'function', function: { name: tc.name, arguments: '' } }] }));
      for (const w of words(tc.arguments)) items.push(chunk(index, { tool_calls: [{ index: i, function: { arguments: w } }] }));
    });
    items.push(chunk(index, {}, c.finish));
  });
  const usage = chatUsageOf(rec.usage);
  if (usage !== undefined) items.push({ type: 'chunk', chunk: { ...base, choices: [], usage } });
  items.push({ type: 'done' });
  return items;
}

/** The stream's content type and its body: one write per item, paced when configured. */
export function replayStream(t: ReplayTarget, rec: CacheRecord, pacingMs: number, signal?: { aborted: boolean }): { contentType: string; body: AsyncIterable<Buffer> } {
  const cx = contextOf(t, rec);
  const encoder = t.client.createEncoder(cx);
  const base: ChunkBase = { id: newId('chatcmpl-'), object: 'chat.completion.chunk', created: cx.now(), model: cx.models.reported };
  const steps = replaySteps(rec, base);
  const pieces = pieceWriter(t.api, encoder, (index, field, text) => chunkItem(base, index, { [field]: text }));
  async function* body(): AsyncIterable<Buffer> {
    // Without pacing, consecutive pieces go out in one write: a replay of a long answer is a few TCP segments.
    let pending = '';
    for (const item of steps) {
      if (signal?.aborted === true) return;
      pending += item.type === 'piece' ? pieces(item) : encoder.write(item);
      if (pacingMs > 0 && pending !== '') {
        yield Buffer.from(pending);
        pending = '';
        await sleep(pacingMs);
      } else if (pending.length >= 16 * 1024) {
        yield Buffer.from(pending);
        pending = '';
      }
    }
    pending += encoder.end();
    if (pending !== '') yield Buffer.from(pending);
  }
  return { contentType: t.client.streamContentType(cx), body: body() };
}
