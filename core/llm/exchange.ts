// The per-request LLM exchange: one object dgp.filter.llm.proxy publishes (attribute LlmExchangeKey) and every other
// LLM filter reads — the request in pivot form (parsed once, when first asked), the client API and operation, the
// provider, endpoint and upstream model of the answer, the answer as response items, and its usage, settled once.
import { LlmTokenUsage, defineAttribute, type RequestContext } from '../index.js';
import type { ChatRequest } from './pivot.js';
import type { ProviderApi, ProviderOperation, WireApi } from './api.js';
import type { ResponseItem } from './items.js';
import type { LlmUsage } from './usage.js';

export type ItemListener = (item: ResponseItem) => void;

export interface SubscribeOptions {
  /**
   * Only wanted when the upstream reports no usage (e.g. to count tokens locally): on a pass-through stream the
   * events are then decoded at the end, and only in that case, rather than one by one as they pass.
   */
  onlyWithoutUsage?: boolean;
  /**
   * Only the `finish` items are wanted (a span's finish reasons): a pass-through OpenAI chat stream then parses only
   * the events that carry a finish reason instead of decoding every event.
   */
  finishOnly?: boolean;
}

/** Where the answer came from: set when the proxy commits to an upstream response. */
export interface ExchangeTarget {
  /** `llm_meta.provider` codec name, e.g. `anthropic`. */
  readonly provider: string;
  /** The wire API the provider speaks. */
  readonly api: ProviderApi;
  readonly cluster: string;
  readonly endpoint: string;
  /** The model sent upstream, and the one reported to the client. */
  readonly model: string;
  readonly reportedModel: string;
  /** Same API on both sides: the upstream bytes reach the client unchanged (or only relabelled). */
  readonly passthrough: boolean;
}

export interface LlmExchangeInit {
  readonly clientApi: WireApi;
  readonly operation: ProviderOperation;
  /** Builds the pivot request; called at most once, when a filter first asks. */
  readonly pivot: () => Promise<ChatRequest | undefined>;
}

export class LlmExchange {
  readonly clientApi: WireApi;
  readonly operation: ProviderOperation;
  target: ExchangeTarget | undefined;
  /** The model the upstream's answer names, when it does. */
  responseModel: string | undefined;
  /** performance.now() of the first response item or event with data; undefined before. */
  firstDataAt: number | undefined;
  /** The response is readable by the exchange (false: an encoding it cannot decode; items and usage stay empty). */
  observed = false;
  readonly #pivot: () => Promise<ChatRequest | undefined>;
  #request: Promise<ChatRequest | undefined> | undefined;
  #live: ItemListener[] | undefined;
  #deferred: ItemListener[] | undefined;
  #finish: ItemListener[] | undefined;
  /** A unary answer's finish items found without reading it (finishesOf of deferUnary), once asked. */
  #unaryFinish: (() => ResponseItem[] | undefined) | undefined;
  #finishItems: ResponseItem[] | undefined;
  /** A unary answer's items, kept for subscribers that come after it was read. */
  #unary: ResponseItem[] | undefined;
  /** Reads a unary answer's items: run when the first subscriber asks (or at settle for usage-less answers). */
  #unaryItems: (() => ResponseItem[]) | undefined;
  #usage: LlmUsage | undefined;
  #rawUsage: Record<string, unknown> | undefined;
  #settled = false;
  #settle: (() => void) | undefined;

  constructor(init: LlmExchangeInit) {
    this.clientApi = init.clientApi;
    this.operation = init.operation;
    this.#pivot = init.pivot;
  }

  /**
   * The client's request in pivot form (OpenAI Chat; an OpenAI client's own body object, to be read, not changed);
   * undefined when it has no chat body or cannot be translated. Parsed once, however many filters ask.
   */
  request(): Promise<ChatRequest | undefined> {
    this.#request ??= this.#pivot().catch(() => undefined);
    return this.#request;
  }

  /**
   * Receives the answer's items in order. A streamed answer's items come as its body flows, so subscribe before that
   * (in encode at the latest); a unary answer's items are delivered at once when it was already read.
   */
  subscribe(listener: ItemListener, opts: SubscribeOptions = {}): void {
    if (opts.finishOnly === true) {
      (this.#finish ??= []).push(listener);
      const known = this.#unaryFinishes();
      if (known !== undefined) for (const item of known) if (item.type === 'finish') listener(item);
      return;
    }
    const deferred = opts.onlyWithoutUsage === true;
    if (deferred) (this.#deferred ??= []).push(listener);
    else (this.#live ??= []).push(listener);
    if (!deferred && this.#unaryItems !== undefined) this.#readUnary();
    else if (this.#unary !== undefined && (!deferred || (this.#settled && this.#usage === undefined))) for (const item of this.#unary) listener(item);
  }

  /** A subscriber wants every item as it comes. */
  get wantsItems(): boolean {
    return this.#live !== undefined;
  }

  /** A subscriber wants the finish items only. */
  get wantsFinish(): boolean {
    return this.#finish !== undefined;
  }

  /** A subscriber wants the items only when no usage arrives. */
  get wantsItemsWithoutUsage(): boolean {
    return this.#deferred !== undefined;
  }

  /** Producer side: one item for every subscriber (deferred ones included: the producer decides when to call). */
  emit(item: ResponseItem): void {
    if (this.#live) for (const l of this.#live) l(item);
    if (this.#deferred) for (const l of this.#deferred) l(item);
    if (this.#finish && item.type === 'finish') for (const l of this.#finish) l(item);
  }

  /** Producer side: one item for the subscribers that want every item as it comes (and the finish-only ones). */
  emitLive(item: ResponseItem): void {
    if (this.#live) for (const l of this.#live) l(item);
    if (this.#finish && item.type === 'finish') for (const l of this.#finish) l(item);
  }

  /** Producer side: a finish item found without decoding the answer, for the finish-only subscribers. */
  emitFinish(item: ResponseItem & { type: 'finish' }): void {
    if (this.#finish) for (const l of this.#finish) l(item);
  }

  /** Producer side: one item for the subscribers that want items only without usage. */
  emitDeferred(item: ResponseItem): void {
    if (this.#deferred) for (const l of this.#deferred) l(item);
  }

  /**
   * Producer side: a whole unary answer (or error), whose items are read only when a subscriber wants them — at
   * once when one already does. The reader must set the usage before it returns. `finishesOf`, when the producer can
   * find the finish items without reading the answer, serves finish-only subscribers (undefined: read it after all).
   */
  deferUnary(read: () => ResponseItem[], finishesOf?: () => ResponseItem[] | undefined): void {
    this.#unaryItems = read;
    this.#unaryFinish = finishesOf;
    let known: readonly ResponseItem[] | undefined;
    if (this.#live !== undefined) {
      this.#readUnary();
      known = this.#unary;
    } else if (this.#finish !== undefined) {
      known = this.#unaryFinishes();
    }
    if (known !== undefined && this.#finish !== undefined) for (const item of known) if (item.type === 'finish') for (const l of this.#finish) l(item);
  }

  /**
   * A unary answer's finish items for finish-only subscribers: its items when read, else what `finishesOf` (a byte
   * search) finds, else read now; undefined before the answer.
   */
  #unaryFinishes(): readonly ResponseItem[] | undefined {
    if (this.#unary !== undefined) return this.#unary;
    if (this.#finishItems !== undefined) return this.#finishItems;
    if (this.#unaryItems === undefined) return undefined;
    this.#finishItems = this.#unaryFinish?.();
    if (this.#finishItems !== undefined) return this.#finishItems;
    this.#readUnary();
    return this.#unary;
  }

  #readUnary(): void {
    const read = this.#unaryItems;
    this.#unaryItems = undefined;
    if (read === undefined) return;
    const items = read();
    this.#unary = items;
    // Subscribers that want items only without usage get them at settle.
    if (this.#live) for (const item of items) for (const l of this.#live) l(item);
  }

  /** Producer side: the final usage of the committed answer, normalised, with the fields as the upstream sent them. */
  setUsage(usage: LlmUsage | undefined, raw?: Record<string, unknown>): void {
    this.#usage = usage;
    this.#rawUsage = raw;
  }

  /** Producer side: work to finish before the usage is final (e.g. a stream's unterminated last event). */
  onSettle(fn: () => void): void {
    this.#settle = fn;
  }

  /**
   * The answer is over: runs the producer's last step once, then writes the LlmTokenUsage attribute when the upstream
   * reported usage (the tokenizer writes its estimate when it did not). Idempotent; returns the final usage.
   */
  settle(ctx: Pick<RequestContext, 'get' | 'set'>): LlmUsage | undefined {
    if (this.#settled) return this.#usage;
    this.#settled = true;
    const fn = this.#settle;
    this.#settle = undefined;
    fn?.();
    const u = this.#usage;
    if (u === undefined && this.#deferred !== undefined) {
      if (this.#unaryItems !== undefined) this.#readUnary();
      if (this.#unary !== undefined) for (const item of this.#unary) for (const l of this.#deferred) l(item);
    }
    if (u !== undefined) {
      const model = this.reportedModel() ?? 'unknown';
      ctx.set(LlmTokenUsage, { model, prompt: u.input, completion: u.output, total: u.total, cached: u.cache_read, reasoning: u.reasoning, source: 'upstream' });
    }
    return u;
  }

  /**
   * The model the client was told: the alias of a translated or relabelled answer, else the model the upstream's
   * answer names; undefined when neither is known.
   */
  reportedModel(): string | undefined {
    const t = this.target;
    if (t !== undefined && (!t.passthrough || t.model !== t.reportedModel)) return t.reportedModel;
    return this.responseModel ?? (t?.reportedModel || undefined);
  }

  get settled(): boolean {
    return this.#settled;
  }

  /** The final usage once settled (undefined before, or when the upstream reported none). */
  usage(): LlmUsage | undefined {
    return this.#settled ? this.#usage : undefined;
  }

  /** The usage fields as the upstream named them (Pixiu's log_to_console lines). */
  rawUsage(): Record<string, unknown> | undefined {
    return this.#rawUsage;
  }
}

/** The request's LLM exchange, set by dgp.filter.llm.proxy before it calls the upstream. */
export const LlmExchangeKey = defineAttribute<LlmExchange>('llm_exchange');
