// Local token counts for responses that carry no usage, done in the worker pool (the event loop never runs BPE):
// the prompt from the request body in any provider shape, the completion from the text seen in the response.
import type { EncodingChoice, WorkerPoolApi } from '../../../core/index.js';
import { isObj } from './usage.js';

export type { EncodingChoice };

interface ChatMessage {
  role: string;
  content?: unknown;
  [key: string]: unknown;
}

/** Prompt tokens of an OpenAI / Anthropic / Gemini / Responses / completions / embeddings body; undefined if none. */
export async function estimatePromptTokens(pool: WorkerPoolApi, body: Record<string, unknown>, choice: EncodingChoice): Promise<number | undefined> {
  const messages = chatMessages(body);
  if (messages) {
    const r = await pool.run<{ count: number }>('countChatTokens', { ...choice, messages, tools: body.tools ?? body.functions });
    return r.count;
  }
  const text = promptText(body.prompt ?? body.input);
  if (text === undefined) return undefined;
  return (await pool.run<{ count: number }>('tokenize', { ...choice, text })).count;
}

function chatMessages(body: Record<string, unknown>): ChatMessage[] | undefined {
  const out: ChatMessage[] = [];
  // Anthropic `system`, Responses `instructions`, Gemini `systemInstruction` become a leading system message.
  const system = body.system ?? body.instructions ?? (isObj(body.systemInstruction) ? body.systemInstruction.parts : undefined);
  if (typeof system === 'string' || Array.isArray(system)) out.push({ role: 'system', content: system });
  if (Array.isArray(body.messages)) {
    for (const m of body.messages) if (isObj(m)) out.push({ ...m, role: String(m.role ?? 'user') });
  } else if (Array.isArray(body.contents)) {
    for (const c of body.contents) if (isObj(c)) out.push({ role: String(c.role ?? 'user'), content: c.parts });
  } else if (Array.isArray(body.input) && body.input.some((i) => isObj(i) && 'role' in i)) {
    for (const i of body.input) if (isObj(i)) out.push({ role: String(i.role ?? 'user'), content: i.content });
  } else if (out.length === 0) {
    return undefined;
  }
  return out;
}

function promptText(p: unknown): string | undefined {
  if (typeof p === 'string') return p;
  if (Array.isArray(p) && p.every((x) => typeof x === 'string')) return p.join('\n');
  return undefined;
}

/**
 * Collects completion text while no usage has been seen. Memory stays bounded: every `batchChars` the held text is
 * sent to the pool and only its count promise is kept. Splitting at batch edges can shift a count by a token or so.
 */
export class CompletionCounter {
  private held = '';
  private counts: Array<Promise<number | Error>> = [];
  private any = false;

  constructor(
    private readonly count: (text: string) => Promise<number>,
    private readonly batchChars = 64 * 1024,
  ) {}

  /** True once any completion text was seen. */
  get sawText(): boolean {
    return this.any;
  }

  add(text: string): void {
    if (text === '') return;
    this.any = true;
    this.held += text;
    if (this.held.length >= this.batchChars) this.flush();
  }

  /** The upstream reported usage: nothing held is needed any more. */
  discard(): void {
    this.held = '';
    this.counts = [];
  }

  /** Sum of every batch; rejects with the first pool error (queue full, crash). */
  async total(): Promise<number> {
    this.flush();
    let sum = 0;
    for (const r of await Promise.all(this.counts)) {
      if (r instanceof Error) throw r;
      sum += r;
    }
    return sum;
  }

  private flush(): void {
    if (this.held === '') return;
    // Errors become values at once, so a batch that fails before total() is awaited never goes unhandled.
    this.counts.push(this.count(this.held).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))));
    this.held = '';
  }
}
