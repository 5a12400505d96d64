// A streamed answer, in the client API's own format, checked before it leaves: the client's stream is decoded to
// pivot chunks with that API's own codec, text goes through the hold-back windows, tool calls are held until their
// choice finishes, and the chunks are encoded again for the client. A block ends the stream the way the API ends a
// filtered answer: OpenAI finish_reason content_filter, Anthropic stop_reason refusal, Gemini finishReason SAFETY.
import { createSseParser, type SseEvent } from '../../../core/index.js';
import type { ChatChunk, StreamDecoder, StreamEncoder, StreamItem } from '../../../core/llm/index.js';
import type { Rule } from './compile.js';
import type { OutputChecker } from './output-text.js';

type Choice = ChatChunk['choices'][number];
type Delta = Choice['delta'] & { reasoning_content?: string };
const DONE: IteratorResult<Buffer> = { done: true, value: undefined };
const COMMENTS = /^(?::[^\r\n]*\r?\n)+(?:\r?\n)?$/;

function isCommentBlock(chunk: Buffer): boolean {
  return chunk[0] === 0x3a && chunk.length < 1024 && COMMENTS.test(chunk.toString('latin1'));
}

export interface GuardedStreamOptions {
  readonly decoder: StreamDecoder;
  readonly encoder: StreamEncoder;
  readonly checker: OutputChecker;
  /** Gemini without alt=sse streams one JSON array: read whole (bounded) and decoded element by element. */
  readonly jsonArray: boolean;
  readonly maxArrayBytes: number;
  /** The answer was blocked by `rule` (metrics and logs). */
  onBlock(rule: Rule): void;
}

export class GuardedStream implements AsyncIterableIterator<Buffer> {
  readonly #inner: AsyncIterator<Buffer>;
  readonly #parser = createSseParser();
  #finished = false;
  /** An error event went out: nothing more is encoded. */
  #errored = false;
  #template: ChatChunk | undefined;
  readonly #seen = new Set<number>();
  #array: Buffer[] = [];
  #arrayBytes = 0;

  constructor(
    inner: AsyncIterable<Buffer>,
    private readonly o: GuardedStreamOptions,
  ) {
    this.#inner = inner[Symbol.asyncIterator]();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<Buffer>> {
    while (!this.#finished) {
      const r = await this.#inner.next();
      let out: string;
      if (r.done) {
        out = await this.#items(this.#endEvents());
        if (!this.#finished) out += await this.#items(this.o.decoder.end());
        if (!this.#finished) out += this.o.encoder.end();
        this.#finished = true;
      } else if (!this.o.jsonArray && isCommentBlock(r.value)) {
        // The proxy's keep-alive comment (sent on an event boundary): passed on, so a client waiting on held text
        // is kept alive too. This transformer only ever writes whole events, so the boundary holds here as well.
        return { done: false, value: r.value };
      } else {
        out = await this.#items(this.#events(r.value));
      }
      if (out !== '') return { done: false, value: Buffer.from(out) };
    }
    return DONE;
  }

  async return(): Promise<IteratorResult<Buffer>> {
    this.#finished = true;
    await this.#inner.return?.();
    return DONE;
  }

  async throw(err?: unknown): Promise<IteratorResult<Buffer>> {
    await this.return();
    throw err;
  }

  /** Decoded pivot items of one client-format chunk. */
  *#events(chunk: Buffer): Iterable<StreamItem> {
    if (this.o.jsonArray) {
      this.#arrayBytes += chunk.length;
      // Past the bound the answer is not passed on unchecked: the decoder reports a cut stream instead.
      if (this.#arrayBytes <= this.o.maxArrayBytes) this.#array.push(chunk);
      return;
    }
    for (const ev of this.#parser.feed(chunk)) yield* this.o.decoder.write(ev);
  }

  *#endEvents(): Iterable<StreamItem> {
    if (!this.o.jsonArray) {
      for (const ev of this.#parser.end({ dispatchIncomplete: true })) yield* this.o.decoder.write(ev);
      return;
    }
    let elements: unknown[] = [];
    try {
      const v: unknown = JSON.parse(Buffer.concat(this.#array).toString('utf8'));
      if (Array.isArray(v)) elements = v;
    } catch {
      // Not a whole JSON array (cut, or over the bound): the decoder's end reports the stream as cut.
    }
    for (const el of elements) yield* this.o.decoder.write({ event: 'message', data: JSON.stringify(el), id: '' } satisfies SseEvent);
  }

  async #items(items: Iterable<StreamItem>): Promise<string> {
    let out = '';
    for (const item of items) {
      if (this.#finished) break;
      if (this.#errored) break;
      if (item.type === 'error') {
        // Held text is dropped rather than released after a failure. The upstream body is read on, so that its
        // throw (a cut stream) still reaches the host, which then cuts the client connection as it would without us.
        out += this.o.encoder.write(item);
        this.#errored = true;
      } else if (item.type === 'done') {
        for (const choice of this.o.checker.openChoices()) {
          const r = await this.#finishChoice(choice, null);
          if (typeof r !== 'string') return out + this.#block(r);
          out += r;
        }
        out += this.o.encoder.write(item);
      } else {
        const r = await this.#chunk(item.chunk);
        if (typeof r !== 'string') return out + this.#block(r);
        out += r;
      }
    }
    return out;
  }

  async #chunk(chunk: ChatChunk): Promise<string | Rule> {
    this.#template ??= chunk;
    if (chunk.choices.length === 0) return this.o.encoder.write({ type: 'chunk', chunk });
    let out = '';
    const kept: Choice[] = [];
    for (const c of chunk.choices) {
      this.#seen.add(c.index);
      const d = c.delta as Delta;
      // The delta without its text and tool calls (copied, not deleted from: a delete turns the object into a slow
      // dictionary), then the text each window releases.
      const nd: Delta = {};
      let fields = 0;
      for (const k in d) {
        if (k === 'content' || k === 'reasoning_content' || k === 'tool_calls') continue;
        (nd as Record<string, unknown>)[k] = (d as Record<string, unknown>)[k];
        fields++;
      }
      if (typeof d.content === 'string' && d.content !== '') {
        const step = await this.o.checker.push(c.index, 'content', d.content);
        if (step.block) return step.block;
        this.o.checker.released(c.index, step.release);
        if (step.release !== '') (nd.content = step.release), fields++;
      }
      if (typeof d.reasoning_content === 'string' && d.reasoning_content !== '') {
        const step = await this.o.checker.push(c.index, 'reasoning', d.reasoning_content);
        if (step.block) return step.block;
        this.o.checker.released(c.index, step.release);
        if (step.release !== '') (nd.reasoning_content = step.release), fields++;
      }
      if (d.tool_calls !== undefined && d.tool_calls !== null) {
        for (const t of d.tool_calls) {
          const block = this.o.checker.holdTool(c.index, t.index, t.id, t.function?.name, t.function?.arguments);
          if (block) return block;
        }
      }
      if (c.finish_reason) {
        if (fields > 0) kept.push({ ...c, delta: nd, finish_reason: null });
        out += this.#write(chunk, kept.splice(0));
        const r = await this.#finishChoice(c.index, c);
        if (typeof r !== 'string') return r;
        out += r;
        continue;
      }
      // A delta left with nothing but its role still goes: encoders open the message on it.
      if (fields > 0) kept.push({ ...c, delta: nd });
    }
    return out + this.#write(chunk, kept);
  }

  #write(like: ChatChunk, choices: Choice[]): string {
    return choices.length === 0 ? '' : this.o.encoder.write({ type: 'chunk', chunk: { ...like, choices, usage: null } });
  }

  /** The rest of a choice's text, its tool calls whole, then its finish (`c`, or none when the stream just ended). */
  async #finishChoice(index: number, c: Choice | null): Promise<string | Rule> {
    const r = await this.o.checker.finish(index);
    if (r.block) return r.block;
    const like = this.#template!;
    let out = '';
    const delta: Delta = {};
    if (r.content !== '') delta.content = r.content;
    if (r.reasoning !== '') delta.reasoning_content = r.reasoning;
    if (Object.keys(delta).length > 0) out += this.#write(like, [{ index, delta, finish_reason: null }]);
    for (const t of r.tools) {
      const call = { index: t.index, ...(t.id === undefined ? {} : { id: t.id }), type: 'function' as const, function: { name: t.name, arguments: t.arguments } };
      out += this.#write(like, [{ index, delta: { tool_calls: [call] }, finish_reason: null }]);
    }
    if (c !== null) out += this.#write(like, [{ ...c, delta: {} }]);
    return out;
  }

  /** Ends the stream as a filtered answer; the upstream body is released at once. */
  #block(rule: Rule): string {
    this.#finished = true;
    this.o.onBlock(rule);
    const like = this.#template ?? { id: '', object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: '', choices: [] };
    const indices = this.#seen.size === 0 ? [0] : [...this.#seen];
    const choices: Choice[] = indices.map((index) => ({ index, delta: {}, finish_reason: 'content_filter' }));
    const out = this.o.encoder.write({ type: 'chunk', chunk: { ...like, choices, usage: null } }) + this.o.encoder.write({ type: 'done' }) + this.o.encoder.end();
    void this.#inner.return?.();
    return out;
  }
}
