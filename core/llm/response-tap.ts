// Feeds one committed upstream answer into the request's LlmExchange: response items decoded by the provider's own
// codec (the same decoder whether the answer is translated or passed through, so every direction yields the same
// items) and usage read from the provider's native objects, normalised once (usage.ts). Pass-through streams stay
// cheap: events are cut without decoding, only the ones that can carry usage are parsed, and items are decoded only
// while someone subscribes.
import { SseBlockReader, SseKeyFinder, parseSseBlock, type SseEvent } from '../index.js';
import type { StreamDecoder } from './codec-context.js';
import type { StreamItem } from './api.js';
import type { ProviderCodec } from './provider-codec.js';
import type { LlmExchange } from './exchange.js';
import { itemsOfChunk, type ResponseItem } from './items.js';
import { contextOf, settleUsage, type LazyCodecContext } from './tap-shared.js';
import { FINISH_BYTES, finishItemsOfEvent, finishValueAt, hasFinishValue } from './finish-scan.js';
import { UsageAccumulator } from './usage.js';

export type { LazyCodecContext } from './tap-shared.js';

/** Raw events held for subscribers that want items only without usage, before they are decoded live instead. */
const HELD_BYTES = 256 * 1024;
const USAGE_MARK = '"usage';
const USAGE_BYTES = Buffer.from(USAGE_MARK);

const QUOTE = 0x22;

/**
 * True when the `"usage…"` key at `at` has a value other than null. OpenAI streams repeat `"usage":null` in every
 * chunk; skipping those by bytes keeps a stream to one JSON parse (the usage chunk) instead of one per event.
 */
function usageValueAt(block: Buffer, at: number): boolean {
  let i = block.indexOf(QUOTE, at + 1);
  if (i === -1) return false;
  i++;
  while (i < block.length && (block[i] === 0x20 || block[i] === 0x3a)) i++;
  // n u l l
  return !(block[i] === 0x6e && block[i + 1] === 0x75 && block[i + 2] === 0x6c && block[i + 3] === 0x6c);
}

/** True when some `"usage…"` key in the event has a value other than null. */
function hasUsageValue(block: Buffer): boolean {
  for (let at = block.indexOf(USAGE_BYTES); at !== -1; at = block.indexOf(USAGE_BYTES, at + USAGE_BYTES.length)) {
    if (usageValueAt(block, at)) return true;
  }
  return false;
}

/** Pivot stream items → response items (a `done` item carries none). */
export function responseItemsOf(items: readonly StreamItem[], out: ResponseItem[]): void {
  for (const item of items) {
    if (item.type === 'chunk') itemsOfChunk(item.chunk, out);
    else if (item.type === 'error') out.push({ type: 'error', error: item.error });
  }
}

/** Usage of one native stream event, when its data may hold a report (a string search before any parse). */
function observeEventUsage(acc: UsageAccumulator, data: string): void {
  if (!data.includes(USAGE_MARK)) return;
  try {
    acc.observe(JSON.parse(data));
  } catch {
    // Not JSON: no usage in it.
  }
}


/**
 * A translated stream: the translator hands over each upstream event and the pivot items it decoded. Subscribers
 * that want items only without usage get them at the end (held, bounded), so nobody counts text the usage settles.
 */
export class TranslatedStreamTap {
  readonly #lx: LlmExchange;
  readonly #acc: UsageAccumulator;
  #items: ResponseItem[] = [];
  #held: ResponseItem[] = [];
  #heldChars = 0;
  /** Too much was held: deferred subscribers get items as they come. */
  #live = false;

  constructor(lx: LlmExchange, codec: ProviderCodec) {
    this.#lx = lx;
    this.#acc = new UsageAccumulator(codec.api);
    lx.observed = true;
    lx.onSettle(() => {
      settleUsage(lx, this.#acc);
      const held = this.#held;
      this.#held = [];
      if (!this.#acc.found) for (const item of held) lx.emitDeferred(item);
    });
  }

  event(ev: SseEvent): void {
    this.#lx.firstDataAt ??= performance.now();
    observeEventUsage(this.#acc, ev.data);
  }

  items(items: readonly StreamItem[]): void {
    const lx = this.#lx;
    const deferred = lx.wantsItemsWithoutUsage && !this.#acc.found;
    if (!lx.wantsItems && !deferred && !lx.wantsFinish) return;
    const out = this.#items;
    responseItemsOf(items, out);
    for (const item of out) {
      lx.emitLive(item);
      if (!deferred) continue;
      if (this.#live) lx.emitDeferred(item);
      else this.#hold(item);
    }
    out.length = 0;
  }

  #hold(item: ResponseItem): void {
    this.#held.push(item);
    this.#heldChars += 'text' in item ? item.text.length : 'arguments' in item ? item.arguments.length : 0;
    if (this.#heldChars <= HELD_BYTES) return;
    this.#live = true;
    const held = this.#held;
    this.#held = [];
    for (const h of held) this.#lx.emitDeferred(h);
  }
}

/**
 * A same-API stream (pure pass-through included): the upstream's chunks as they pass, untouched. Usage is found by
 * byte searches (core/sse/key-finder.ts) without cutting the stream into events; items are decoded with the provider's
 * decoder only for subscribers. Subscribers that want items only without usage make the chunks be held (bounded)
 * and decoded at the end, and only when no usage arrived.
 */
export class PassthroughStreamTap {
  readonly #lx: LlmExchange;
  readonly #acc: UsageAccumulator;
  readonly #max: number;
  readonly #finder: SseKeyFinder;
  readonly #newDecoder: () => StreamDecoder;
  /** Reads the rest of the stream for usage once the finder gave up (CR framing, an oversized event). */
  #usageReader: SseBlockReader | undefined;
  /** Cuts events for decoding, from the first chunk on (held chunks included). */
  #reader: SseBlockReader | undefined;
  #decoder: StreamDecoder | undefined;
  #held: Buffer[] = [];
  #heldBytes = 0;
  #items: ResponseItem[] = [];
  /**
   * Finish-only subscribers of an OpenAI chat stream: the events with a `"finish_reason":"…"` are found by bytes and
   * parsed alone (elsewhere the finish reason takes the provider's decoder: the stream is decoded for them).
   */
  readonly #finishFinder: SseKeyFinder | undefined;
  #finishReader: SseBlockReader | undefined;

  constructor(lx: LlmExchange, codec: ProviderCodec, cx: LazyCodecContext, maxEventBytes = 1024 * 1024) {
    this.#lx = lx;
    this.#acc = new UsageAccumulator(codec.api);
    this.#max = maxEventBytes;
    // The finder's key filter has already skipped null usage: its events are parsed as they are.
    this.#finder = new SseKeyFinder(USAGE_BYTES, (event) => this.#parseUsage(event), maxEventBytes, usageValueAt);
    if (codec.api === 'openai' && lx.operation === 'chat') this.#finishFinder = new SseKeyFinder(FINISH_BYTES, (event) => this.#parseFinish(event), maxEventBytes, finishValueAt);
    this.#newDecoder = () => codec.upstream.createDecoder(contextOf(cx));
    lx.observed = true;
    lx.onSettle(() => this.#end());
  }

  /** One upstream chunk, as it is delivered to the client. */
  readonly feed = (chunk: Buffer): void => {
    if (chunk.length === 0) return;
    const lx = this.#lx;
    lx.firstDataAt ??= performance.now();
    if (this.#reader !== undefined || lx.wantsItems || (lx.wantsFinish && this.#finishFinder === undefined)) {
      for (const block of (this.#reader ??= new SseBlockReader(this.#max)).feed(chunk)) this.#decode(block, true);
      return;
    }
    if (lx.wantsFinish) this.#findFinish(chunk);
    const hold = lx.wantsItemsWithoutUsage && !this.#acc.found;
    if (hold) {
      this.#held.push(chunk);
      this.#heldBytes += chunk.length;
    }
    this.#findUsage(chunk);
    // Too much held: decode what was held (its usage is already read) and every chunk from now on.
    if (hold && this.#heldBytes > HELD_BYTES) this.#decodeHeld(false);
  };

  #findUsage(chunk: Buffer): void {
    if (this.#usageReader === undefined) {
      if (this.#finder.feed(chunk)) return;
      this.#usageReader = new SseBlockReader(this.#max);
      const rest = this.#finder.takeRest();
      if (rest.length > 0) chunk = Buffer.concat([rest, chunk]);
    }
    for (const block of this.#usageReader.feed(chunk)) this.#usageOf(block);
  }

  #findFinish(chunk: Buffer): void {
    if (this.#finishReader === undefined) {
      if (this.#finishFinder!.feed(chunk)) return;
      this.#finishReader = new SseBlockReader(this.#max);
      const rest = this.#finishFinder!.takeRest();
      if (rest.length > 0) chunk = Buffer.concat([rest, chunk]);
    }
    for (const block of this.#finishReader.feed(chunk)) this.#finishOf(block);
  }

  #finishOf(block: Buffer): void {
    if (hasFinishValue(block)) this.#parseFinish(block);
  }

  #parseFinish(block: Buffer): void {
    for (const item of finishItemsOfEvent(block)) this.#lx.emitFinish(item);
  }

  #usageOf(block: Buffer): void {
    if (hasUsageValue(block)) this.#parseUsage(block);
  }

  #parseUsage(block: Buffer): void {
    const ev = parseSseBlock(block);
    if (ev !== undefined) observeEventUsage(this.#acc, ev.data);
  }

  /** Decodes the held chunks (their usage was already read) for every subscriber; later chunks are decoded live. */
  #decodeHeld(atEnd: boolean): void {
    const held = this.#held;
    this.#held = [];
    this.#heldBytes = 0;
    const reader = (this.#reader = new SseBlockReader(this.#max));
    for (const chunk of held) for (const block of reader.feed(chunk)) this.#decode(block, false);
    if (atEnd) for (const block of reader.end()) this.#decode(block, false);
  }

  #decode(block: Buffer, usageToo: boolean): void {
    const ev = parseSseBlock(block);
    if (ev === undefined) return;
    if (usageToo) observeEventUsage(this.#acc, ev.data);
    this.#emit(() => (this.#decoder ??= this.#newDecoder()).write(ev));
  }

  #emit(step: () => StreamItem[]): void {
    let items: StreamItem[];
    try {
      items = step();
    } catch {
      // An event the decoder cannot read (the client still gets its bytes): no items from it.
      return;
    }
    const out = this.#items;
    responseItemsOf(items, out);
    for (const item of out) this.#lx.emit(item);
    out.length = 0;
  }

  #end(): void {
    if (this.#reader !== undefined) {
      for (const block of this.#reader.end()) this.#decode(block, true);
    } else {
      if (this.#usageReader !== undefined) for (const block of this.#usageReader.end()) this.#usageOf(block);
      else this.#usageOf(this.#finder.takeRest());
      if (this.#lx.wantsFinish && this.#finishFinder !== undefined) {
        if (this.#finishReader !== undefined) for (const block of this.#finishReader.end()) this.#finishOf(block);
        else this.#finishOf(this.#finishFinder.takeRest());
      }
      if (this.#held.length > 0 && !this.#acc.found) this.#decodeHeld(true);
      this.#held = [];
    }
    if (this.#decoder !== undefined) this.#emit(() => this.#decoder!.end());
    settleUsage(this.#lx, this.#acc);
  }
}
