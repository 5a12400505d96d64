// What a request is expected to cost before the call: its prompt (bytes / 4 for small prompts; counted by the
// tokenizer in the worker pool from tokenize_above_bytes on, so the event loop never runs BPE) plus the most output it
// may get (max_tokens in any API's spelling, else default_output_tokens); and what a usage costs under a rule's count.
import type { WorkerPoolApi } from '../../../core/index.js';
import type { LlmUsage } from '../../../core/llm/index.js';
import type { TokenCount } from './schema.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const whole = (v: unknown): number | undefined => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined);

/** The request's own output cap: OpenAI max_tokens / max_completion_tokens, Responses max_output_tokens, Gemini generationConfig.maxOutputTokens. */
export function outputCap(body: Obj): number | undefined {
  const gen = isObj(body.generationConfig) ? body.generationConfig : undefined;
  return whole(body.max_completion_tokens) ?? whole(body.max_tokens) ?? whole(body.max_output_tokens) ?? whole(gen?.maxOutputTokens);
}

interface Message {
  role: string;
  content?: unknown;
}

const systemOf = (body: Obj): unknown => body.system ?? body.instructions ?? (isObj(body.systemInstruction) ? body.systemInstruction.parts : undefined);
const isSystem = (v: unknown): boolean => typeof v === 'string' || Array.isArray(v);
const listOf = (body: Obj): unknown[] | undefined => (Array.isArray(body.messages) ? body.messages : Array.isArray(body.contents) ? body.contents : Array.isArray(body.input) ? body.input : undefined);

/** A plain text prompt (completions, embeddings), for a body without messages. */
function textOf(body: Obj): string | undefined {
  const p = body.prompt ?? body.input;
  if (typeof p === 'string') return p;
  if (Array.isArray(p) && p.every((x) => typeof x === 'string')) return p.join('\n');
  return undefined;
}

/** The prompt as chat messages (system first), or a plain text prompt; undefined when the body has neither. */
function promptOf(body: Obj): { messages: Message[] } | { text: string } | undefined {
  const messages: Message[] = [];
  const system = systemOf(body);
  if (isSystem(system)) messages.push({ role: 'system', content: system });
  for (const m of listOf(body) ?? []) if (isObj(m)) messages.push({ role: String(m.role ?? 'user'), content: m.content ?? m.parts });
  if (messages.length > 0) return { messages };
  const text = textOf(body);
  return text === undefined ? undefined : { text };
}

/** Every string inside a value (message contents and their parts), by UTF-8 length. */
function textBytes(v: unknown, depth = 0): number {
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (depth > 16 || typeof v !== 'object' || v === null) return 0;
  let n = 0;
  if (Array.isArray(v)) for (const x of v) n += textBytes(x, depth + 1);
  else for (const x of Object.values(v)) n += textBytes(x, depth + 1);
  return n;
}

// OpenAI's rule of thumb: ~4 bytes per token; 3 tokens of framing per message and 3 to prime the reply.
const chatEstimate = (bytes: number, messages: number): number => Math.ceil(bytes / 4) + 3 * messages + 3;

/**
 * The local estimate, read straight from the body (no message list built): what promptOf's messages would give —
 * each message's role and content strings (depth as inside the list), the tools, the framing. 0 without a prompt.
 */
function localTokens(body: Obj): number {
  let bytes = 0;
  let messages = 0;
  const system = systemOf(body);
  if (isSystem(system)) {
    bytes += 6 + textBytes(system, 2);
    messages++;
  }
  const list = listOf(body);
  if (list !== undefined) {
    for (const m of list) {
      if (!isObj(m)) continue;
      const role = m.role ?? 'user';
      bytes += Buffer.byteLength(typeof role === 'string' ? role : String(role)) + textBytes(m.content ?? m.parts, 2);
      messages++;
    }
  }
  if (messages > 0) return chatEstimate(bytes + textBytes(body.tools ?? body.functions), messages);
  const text = textOf(body);
  return text === undefined ? 0 : Math.ceil(Buffer.byteLength(text) / 4);
}

/** Prompt tokens: local for small bodies, the worker pool's tokenizer for large ones (falling back to the bytes). */
export function promptTokens(body: Obj, bodyBytes: number, pool: WorkerPoolApi, tokenizeAbove: number, model: string | undefined): number | Promise<number> {
  if (bodyBytes < tokenizeAbove) return localTokens(body);
  const prompt = promptOf(body);
  if (prompt === undefined) return 0;
  const tools = body.tools ?? body.functions;
  const local = localTokens(body);
  const choice = model === undefined ? { fallbackEncoding: 'o200k_base' } : { model, fallbackEncoding: 'o200k_base' };
  const counted = 'text' in prompt ? pool.run<{ count: number }>('tokenize', { ...choice, text: prompt.text }) : pool.run<{ count: number }>('countChatTokens', { ...choice, messages: prompt.messages, tools });
  return counted.then((r) => r.count, () => local);
}

/** Usage in the parts the weights name (input here excludes cache reads and writes). */
export type TokenUsage = Pick<LlmUsage, 'input' | 'output' | 'cache_read' | 'cache_write'>;

/** What a usage costs under a rule's count, in whole tokens (rounded up). */
export function costOf(count: TokenCount, u: TokenUsage): number {
  if (count === 'total') return u.input + u.output;
  if (count === 'input') return u.input;
  if (count === 'output') return u.output;
  const plain = Math.max(0, u.input - u.cache_read - u.cache_write);
  return Math.ceil(count.input * plain + count.cache_read * u.cache_read + count.cache_write * u.cache_write + count.output * u.output - 1e-9);
}
