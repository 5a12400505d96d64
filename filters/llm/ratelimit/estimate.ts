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

/** The prompt as chat messages (system first), or a plain text prompt; undefined when the body has neither. */
function promptOf(body: Obj): { messages: Message[] } | { text: string } | undefined {
  const messages: Message[] = [];
  const system = body.system ?? body.instructions ?? (isObj(body.systemInstruction) ? body.systemInstruction.parts : undefined);
  if (typeof system === 'string' || Array.isArray(system)) messages.push({ role: 'system', content: system });
  const list = Array.isArray(body.messages) ? body.messages : Array.isArray(body.contents) ? body.contents : Array.isArray(body.input) ? body.input : undefined;
  for (const m of list ?? []) if (isObj(m)) messages.push({ role: String(m.role ?? 'user'), content: m.content ?? m.parts });
  if (messages.length > 0) return { messages };
  const p = body.prompt ?? body.input;
  if (typeof p === 'string') return { text: p };
  if (Array.isArray(p) && p.every((x) => typeof x === 'string')) return { text: p.join('\n') };
  return undefined;
}

/** Every string inside a value (message contents and their parts), by UTF-8 length. */
function textBytes(v: unknown, depth = 0): number {
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (depth > 16) return 0;
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + textBytes(x, depth + 1), 0);
  if (isObj(v)) return Object.values(v).reduce((n: number, x) => n + textBytes(x, depth + 1), 0);
  return 0;
}

/** Prompt tokens: local for small bodies, the worker pool's tokenizer for large ones (falling back to the bytes). */
export function promptTokens(body: Obj, bodyBytes: number, pool: WorkerPoolApi, tokenizeAbove: number, model: string | undefined): number | Promise<number> {
  const prompt = promptOf(body);
  if (prompt === undefined) return 0;
  const tools = body.tools ?? body.functions;
  // OpenAI's rule of thumb: ~4 bytes per token; 3 tokens of framing per message and 3 to prime the reply.
  const local = 'text' in prompt ? Math.ceil(Buffer.byteLength(prompt.text) / 4) : Math.ceil((textBytes(prompt.messages) + textBytes(tools)) / 4) + 3 * prompt.messages.length + 3;
  if (bodyBytes < tokenizeAbove) return local;
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
