// The per-request LLM exchange: one object dgp.filter.llm.proxy publishes (attribute LlmExchangeKey) and every other
// LLM filter reads — the request in pivot form (parsed once, when first asked), the client API and operation, the
// provider, endpoint and upstream model of the answer, the answer as response items, and its usage, settled once.
import { LlmTokenUsage, defineAttribute, type RequestContext } from '../index.js';
import type { ChatRequest } from './pivot.js';
import type { ProviderOperation, WireApi } from './api.js';
import type { ResponseItem } from './items.js';
import type { LlmUsage } from './usage.js';

export type ItemListener = (item: ResponseItem) => void;

export interface SubscribeOptions {
  /**
   * Only wanted when the upstream reports no usage (e.g. to count tokens locally): on a pass-through stream the
   * events are then decoded at the end, and only in that case, rather than one by one as they pass.
   */
  onlyWithoutUsage?: boolean;
}

/** Where the answer came from: set when the proxy commits to an upstream response. */
export interface ExchangeTarget {
  /** `llm_meta.provider` codec name, e.g. `anthropic`. */
  readonly provider: string;
  /** The wire API the provider speaks. */
  readonly api: WireApi;
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
  /** The model the client asked for. */
  readonly model: string;
  readonly stream: boolean;
  /** Builds the pivot request; called at most once. */
  readonly pivot: () => ChatRequest | undefined;
}

export class LlmExchange {
  readonly clientApi: WireApi;
  readonly operation: ProviderOperation;
  readonly model: string;
  readonly stream: boolean;
  target: ExchangeTarget | undefined;
  /** The model the upstream's answer names, when it does. */
  responseModel: string | undefined;
  /** performance.now() of the first response item or event with data; undefined before. */
  firstDataAt: number | undefined;
  /** The response is readable by the exchange (false: an encoding it cannot decode; items and usage stay empty). */
  observed = false;
  readonly #pivot: () => ChatRequest | undefined;
  #request: { value: ChatRequest | undefined } | undefined;
  #live: ItemListener[] | undefined;
  #deferred: ItemListener[] | undefined;
  /** A unary answer's items, kept for subscribers that come after it was read. */
  #unary: ResponseItem[] | undefined;
  #usage: LlmUsage | undefined;
  #rawUsage: Record<string, unknown> | undefined;
  #settled = false;
  #settle: (() => void) | undefined;

  constructor(init: LlmExchangeInit) {
    this.clientApi = init.clientApi;
    this.operation = init.operation;
    this.model = init.model;
    this.stream = init.stream;
    this.#pivot = init.pivot;
  }

  /** The client's request in pivot form (OpenAI Chat); undefined when it has no chat body. Parsed once. */
  request(): ChatRequest | undefined {
    if (this.#request === undefined) {
      let value: ChatRequest | undefined;
      try {
        value = this.#pivot();
      } catch {
        value = undefined;
      }
      this.#request = { value };
    }
    return this.#request.value;
  }

  /**
   * Receives the answer's items in order. A streamed answer's items come as its body flows, so subscribe before that
   * (in encode at the latest); a unary answer's items are delivered at once when it was already read.
   */
  subscribe(listener: ItemListener, opts: SubscribeOptions = {}): void {
    const deferred = opts.onlyWithoutUsage === true;
    if (deferred) (this.#deferred ??= []).push(listener);
    else (this.#live ??= []).push(listener);
    if (this.#unary !== undefined && (!deferred || this.#usage === undefined)) for (const item of this.#unary) listener(item);
  }

  /** A subscriber wants every item as it comes. */
  get wantsItems(): boolean {
    return this.#live !== undefined;
  }

  /** A subscriber wants the items only when no usage arrives. */
  get wantsItemsWithoutUsage(): boolean {
    return this.#deferred !== undefined;
  }

  /** Producer side: one item for every subscriber (deferred ones included: the producer decides when to call). */
  emit(item: ResponseItem): void {
    if (this.#live) for (const l of this.#live) l(item);
    if (this.#deferred) for (const l of this.#deferred) l(item);
  }

  /**
   * Producer side: the items of a whole unary answer (or error), also kept for later subscribers. Call setUsage
   * first: subscribers that want items only without usage get them only when there is none.
   */
  emitUnary(items: ResponseItem[]): void {
    this.#unary = items;
    for (const item of items) {
      this.emitLive(item);
      if (this.#deferred && this.#usage === undefined) for (const l of this.#deferred) l(item);
    }
  }

  /** Producer side: items for live subscribers only (deferred ones get them later, or never). */
  emitLive(item: ResponseItem): void {
    if (this.#live) for (const l of this.#live) l(item);
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
    if (u !== undefined) {
      const model = this.responseModel ?? this.target?.reportedModel ?? this.model;
      ctx.set(LlmTokenUsage, { model, prompt: u.input, completion: u.output, total: u.total, cached: u.cache_read, reasoning: u.reasoning, source: 'upstream' });
    }
    return u;
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
