// Feeds a whole (unary) upstream answer into the request's LlmExchange: usage from the end of the body without parsing
// it whole when nobody wants items; items (and then usage) from one parse, done when the first subscriber asks. An
// answer that arrives without a Content-Length (chunked transfer, as OpenAI answers) or content-encoded (gzip,
// deflate, br) is streamed to the client untouched; its bytes are kept as they pass and read the same way, once,
// when the exchange settles (after the client has them).
import type { JsonObject, ProviderApi, ProviderCodec } from './api.js';
import { decodeBody } from './content-coding.js';
import type { LlmExchange } from './exchange.js';
import { finishItemsOfBody } from './finish-scan.js';
import { itemsOfCompletion } from './items.js';
import { contextOf, settleUsage, type LazyCodecContext } from './tap-shared.js';
import { UsageAccumulator, usageOfReport } from './usage.js';
import { usageFromBodyEnd } from './usage-scan.js';

type Headers = Record<string, string | string[] | undefined>;

/** A unary body parsed whole for items; bigger ones give their usage only. */
const MAX_PARSE_BYTES = 64 * 1024 * 1024;
/** A streamed unary body kept (as received, maybe compressed) for reading at settle; a bigger one is not read. */
const MAX_KEPT_BYTES = 16 * 1024 * 1024;

/** A whole answer in hand (unary 2xx, or an error status). */
export function tapUnary(lx: LlmExchange, codec: ProviderCodec, cx: LazyCodecContext, status: number, headers: Headers, body: Buffer, parsed?: JsonObject): void {
  lx.observed = true;
  const readUsage = deferAnswer(lx, codec, cx, status, headers, body, parsed);
  if (readUsage !== undefined) lx.onSettle(readUsage);
}

/** Hands the answer to the exchange; returns the usage step to run at settle (none for an error). */
function deferAnswer(lx: LlmExchange, codec: ProviderCodec, cx: LazyCodecContext, status: number, headers: Headers, body: Buffer, parsed?: JsonObject): (() => void) | undefined {
  if (status >= 300) {
    lx.deferUnary(() => [{ type: 'error', error: codec.upstream.parseError(status, headers, body) }]);
    return undefined;
  }
  let obj = parsed;
  let tried = parsed !== undefined;
  const parse = (): JsonObject | undefined => {
    if (!tried && body.length <= MAX_PARSE_BYTES) {
      tried = true;
      try {
        const v: unknown = JSON.parse(body.toString('utf8'));
        obj = typeof v === 'object' && v !== null ? (v as JsonObject) : undefined;
      } catch {
        obj = undefined;
      }
    }
    return obj;
  };
  let usageRead = false;
  const readUsage = (): void => {
    if (usageRead) return;
    usageRead = true;
    const end = tried ? undefined : usageFromBodyEnd(body, codec.api);
    if (end !== undefined) return settleScanned(lx, codec.api, end);
    const acc = new UsageAccumulator(codec.api);
    acc.observe(parse());
    settleUsage(lx, acc);
  };
  // A span's finish reasons: an OpenAI chat answer's are found by bytes, without parsing it (undefined: parse after all).
  const finishesOf = codec.api === 'openai' && lx.operation === 'chat' ? () => (tried ? undefined : finishItemsOfBody(body)) : undefined;
  lx.deferUnary(() => {
    const value = parse();
    readUsage();
    if (value === undefined) return [];
    try {
      return itemsOfCompletion(codec.upstream.toChat(value, contextOf(cx)));
    } catch {
      return [];
    }
  }, finishesOf);
  return readUsage;
}

/** The usage read from the end of a unary body: one report, normalised once (no accumulator, no merge). */
function settleScanned(lx: LlmExchange, api: ProviderApi, found: JsonObject): void {
  if (typeof found.model === 'string') lx.responseModel = found.model;
  const report = usageOfReport(api, api === 'gemini' ? found.usageMetadata : found.usage);
  lx.setUsage(report?.usage, report?.raw);
}

/**
 * A unary answer whose bytes pass by in chunks (`feed` each as it is delivered; never changed) and/or are encoded
 * with `codings`: kept, bounded, then decoded and read as a whole when the exchange settles.
 */
export class UnaryBodyTap {
  #parts: Buffer[] = [];
  #bytes = 0;

  constructor(
    private readonly lx: LlmExchange,
    private readonly codec: ProviderCodec,
    private readonly cx: LazyCodecContext,
    private readonly status: number,
    private readonly headers: Headers,
    private readonly codings: readonly string[],
  ) {
    lx.observed = true;
    lx.onSettle(() => this.#end());
  }

  readonly feed = (chunk: Buffer): void => {
    if (this.#bytes > MAX_KEPT_BYTES || chunk.length === 0) return;
    this.#bytes += chunk.length;
    if (this.#bytes > MAX_KEPT_BYTES) this.#parts = [];
    else this.#parts.push(chunk);
  };

  #end(): void {
    const parts = this.#parts;
    this.#parts = [];
    if (this.#bytes > MAX_KEPT_BYTES || parts.length === 0) return;
    const raw = parts.length === 1 ? parts[0]! : Buffer.concat(parts, this.#bytes);
    const body = this.codings.length === 0 ? raw : decodeBody(raw, this.codings, MAX_PARSE_BYTES);
    if (body === undefined) return;
    deferAnswer(this.lx, this.codec, this.cx, this.status, this.headers, body)?.();
  }
}
