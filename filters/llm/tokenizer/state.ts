// Per-request state of dgp.filter.llm.tokenizer, kept on the RequestContext (never in the factory's closure). It is
// also the StreamObserver's sink: methods rather than five closures per request.
import { performance } from 'node:perf_hooks';
import { SseParser, defineAttribute, type RequestContext } from '../../../core/index.js';
import type { LlmExchange, ResponseItem } from '../../../core/llm/index.js';
import type { CompletionCounter } from './estimate.js';
import type { RequestFacts } from './request-facts.js';
import type { StreamObserver, StreamSink } from './stream-observer.js';
import type { TailParts } from './json-tail.js';
import { completionText, UsageTracker } from './usage.js';

/** Raw events held unparsed while no usage was seen, before they are parsed for local counting anyway. */
const HELD_BYTES = 256 * 1024;

export class TokenizerState implements StreamSink {
  readonly tracker = new UsageTracker();
  /** Collects completion text until usage shows up; created on the first text, when estimation is on. */
  counter: CompletionCounter | undefined;
  /** The proxy's LLM exchange when it reads the answer: usage and items come from it, not from the bytes. */
  exchange: LlmExchange | undefined;
  /** Set in encode for a streamed or encoded body. */
  observer: StreamObserver | undefined;
  /** A unary identity body, read in onComplete (after the client has its bytes). */
  unaryBody: Buffer | undefined;
  /** Background parse of an encoded unary body, awaited in onComplete. */
  unaryParse: Promise<unknown> | undefined;
  /** The response body was a Buffer. */
  unary = false;
  /** The response is an event stream. */
  sse = false;
  encodeAt: number | undefined;
  firstDataAt: number | undefined;
  streamEndAt: number | undefined;
  reported = false;
  #held: Buffer[] = [];
  #heldBytes = 0;

  constructor(
    readonly facts: RequestFacts,
    private readonly ctx: RequestContext,
    /** Makes the completion counter; undefined when estimate_missing_usage is off. */
    private readonly newCounter: ((model: string | undefined) => CompletionCounter) | undefined,
  ) {}

  onValue(value: unknown): void {
    this.tracker.observe(value);
    if (this.tracker.found) {
      this.#held = [];
      this.counter?.discard();
      return;
    }
    this.countHeld();
    this.#addText(completionText(value));
  }

  /** A response item of the exchange, delivered only when the upstream reported no usage: text to count locally. */
  readonly onItem = (item: ResponseItem): void => {
    if (item.type === 'text' || item.type === 'reasoning' || item.type === 'refusal') this.#addText(item.text);
    else if (item.type === 'tool_call') this.#addText((item.name ?? '') + item.arguments);
  };

  /** The model the answer names: the exchange's, else the one seen in the bytes. */
  get responseModel(): string | undefined {
    return this.exchange?.reportedModel() ?? this.tracker.model;
  }

  /** An event the observer did not parse because it cannot carry usage: only its text may be needed, later. */
  onSkipped(event: Buffer): void {
    if (this.newCounter === undefined || this.tracker.found) return;
    this.#held.push(event);
    this.#heldBytes += event.length;
    if (this.#heldBytes > HELD_BYTES) this.countHeld();
  }

  onTail(parts: TailParts): void {
    this.tracker.observeParts(parts);
  }

  onFirstData(): void {
    if (!this.unary) this.firstDataAt ??= performance.now();
  }

  onProblem(reason: string, err?: unknown): void {
    this.ctx.log.debug({ err }, `tokenizer: ${reason}`);
  }

  /** No usage (yet): the held events' text goes to the counter, in stream order. */
  countHeld(): void {
    if (this.#held.length === 0) return;
    const held = this.#held;
    this.#held = [];
    this.#heldBytes = 0;
    // Whole event blocks (core/sse/blocks.ts), so a fresh parser reads them exactly as the stream's parser would have.
    for (const event of new SseParser().feed(Buffer.concat(held))) {
      try {
        this.#addText(completionText(JSON.parse(event.data)));
      } catch {
        // not JSON ([DONE] and other sentinels): no text we can count
      }
    }
  }

  #addText(text: string): void {
    if (text === '' || this.newCounter === undefined) return;
    (this.counter ??= this.newCounter(this.facts.model)).add(text);
  }
}

export const TokenizerStateKey = defineAttribute<TokenizerState>('dgp.filter.llm.tokenizer/state');
