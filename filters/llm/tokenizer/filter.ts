// dgp.filter.llm.tokenizer: token usage and latency accounting. decode reads the request (and injects include_usage),
// encode starts parsing the response, onChunk watches (or, for an injected usage chunk, rewrites) the stream as it
// passes, and onComplete reports every metric exactly once — also after errors and client aborts.
import { isAbsolute, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { RequestModel, UpstreamFirstByteAt, type FactoryContext, type HttpFilter, type RequestContext } from '../../../core/index.js';
import { LlmExchangeKey } from '../../../core/llm/index.js';
import { contentCodings } from './decompress.js';
import { CompletionCounter, type EncodingChoice } from './estimate.js';
import { TokenizerCounters } from './counters.js';
import { createTokenizerMetrics, type TokenizerMetrics } from './metrics.js';
import { readRequestFacts, type RequestFacts } from './request-facts.js';
import { usageAtTop, usageFromTail } from './json-tail.js';
import { scanUsageAtTop } from './usage-bytes.js';
import { ModelLabels } from './model-label.js';
import { finishRequest, type FinishDeps } from './report.js';
import type { ResolvedTokenizerConfig, TokenizerConfig } from './schema.js';
import { TokenizerState, TokenizerStateKey } from './state.js';
import { StreamObserver } from './stream-observer.js';

export class TokenizerFilter implements HttpFilter {
  private readonly cfg: ResolvedTokenizerConfig;
  private readonly metrics: TokenizerMetrics;
  /** encodingFor results by model name, so the prefix walk runs once per model. Bounded. */
  private readonly encodings = new Map<string, EncodingChoice>();
  private readonly newCounter: ((model: string | undefined) => CompletionCounter) | undefined;
  private readonly finish: FinishDeps;
  private readonly counters: TokenizerCounters;

  constructor(
    config: Readonly<TokenizerConfig>,
    private readonly fctx: FactoryContext,
  ) {
    this.cfg = resolveConfig(config, fctx.configDir);
    this.metrics = createTokenizerMetrics(fctx.metrics, config.pixiu_unit_metrics === true);
    this.counters = new TokenizerCounters(this.metrics);
    const labels = new ModelLabels(fctx.clusters, this.cfg.knownModels);
    this.finish = { metrics: this.metrics, counters: this.counters, cfg: this.cfg, pool: fctx.workers, encodingFor: (model) => this.encodingFor(model), labels };
    if (this.cfg.estimateMissingUsage) {
      this.newCounter = (model) => {
        const choice = this.encodingFor(model);
        return new CompletionCounter(async (text) => (await this.fctx.workers.run<{ count: number }>('tokenize', { ...choice, text })).count);
      };
    }
  }

  decode(ctx: RequestContext): void | Promise<void> {
    return readRequestFacts(ctx, this.cfg.injectStreamUsage, (facts) => this.start(ctx, facts));
  }

  private start(ctx: RequestContext, facts: RequestFacts): void {
    if (facts.model !== undefined && ctx.get(RequestModel) === undefined) ctx.set(RequestModel, facts.model);
    ctx.set(TokenizerStateKey, new TokenizerState(facts, ctx, this.newCounter));
  }

  encode(ctx: RequestContext): void {
    const st = ctx.get(TokenizerStateKey);
    if (!st || st.encodeAt !== undefined) return;
    st.encodeAt = performance.now();
    const { headers, body } = ctx.response;
    if (body === undefined) return;
    const ct = headers['content-type'];
    st.sse = String(Array.isArray(ct) ? ct[0] : (ct ?? '')).toLowerCase().includes('text/event-stream');
    const encoding = headers['content-encoding'];
    const codings = encoding === undefined ? IDENTITY : contentCodings(encoding);
    if (codings === undefined) {
      ctx.log.debug({ encoding }, 'tokenizer: unsupported Content-Encoding; usage not parsed');
      return;
    }
    st.unary = Buffer.isBuffer(body);
    const strip = st.facts.injected && !st.unary && st.sse;
    const lx = ctx.get(LlmExchangeKey);
    if (lx?.observed === true) {
      // The proxy's exchange reads this answer: usage comes from it, and the items only when no usage arrives.
      st.exchange = lx;
      // Stripping still reads every event itself (and counts their text): no items needed from the exchange then.
      if (strip) return void this.observe(ctx, st, body, codings, strip);
      if (this.newCounter !== undefined) lx.subscribe(st.onItem, { onlyWithoutUsage: true });
      return;
    }
    this.observe(ctx, st, body, codings, strip);
  }

  /** Reads the answer from its bytes: a unary identity body in onComplete, anything else as it passes. */
  private observe(ctx: RequestContext, st: TokenizerState, body: Buffer | AsyncIterable<Buffer>, codings: readonly string[], strip: boolean): void {
    if (Buffer.isBuffer(body) && codings.length === 0 && !st.sse) {
      // Read in onComplete, after the client has its bytes: usually from the tail alone (readUnary).
      st.unaryBody = body;
      return;
    }
    st.observer = new StreamObserver(
      { sse: st.sse, codings, strip, maxEventBytes: this.cfg.maxEventBytes },
      st,
    );
    if (Buffer.isBuffer(body)) {
      // An encoded (or SSE-typed) unary body: decoded and parsed after encode returns, off the client's path.
      const obs = st.observer;
      st.unaryParse = new Promise<void>((done) => setImmediate(done))
        .then(() => {
          obs.onChunk(body);
          return obs.finish();
        })
        .catch((err: unknown) => ctx.log.warn({ err }, 'tokenizer: parsing the response body failed; usage may be missing'));
    }
  }

  onChunk(ctx: RequestContext, chunk: Buffer): Buffer | undefined {
    return ctx.get(TokenizerStateKey)?.observer?.onChunk(chunk);
  }

  async onStreamEnd(ctx: RequestContext): Promise<Buffer | undefined> {
    const st = ctx.get(TokenizerStateKey);
    if (!st?.observer || st.unary) return undefined;
    st.streamEndAt = performance.now();
    return st.observer.finish();
  }

  onComplete(ctx: RequestContext): void | Promise<void> {
    const st = ctx.get(TokenizerStateKey);
    if (!st || st.reported) return;
    st.reported = true;
    const endAt = st.streamEndAt ?? performance.now();
    if (st.unaryBody) readUnary(st, st.unaryBody, this.cfg.maxEventBytes);
    // An aborted stream: count what went by. Awaited only when there is parsing left (no promise per request).
    else if (st.unaryParse || st.observer) return this.reportAfter(ctx, st, endAt, st.unaryParse ?? st.observer!.finish());
    return this.report(ctx, st, endAt);
  }

  private async reportAfter(ctx: RequestContext, st: TokenizerState, endAt: number, parsing: Promise<unknown>): Promise<void> {
    await parsing;
    return this.report(ctx, st, endAt);
  }

  private report(ctx: RequestContext, st: TokenizerState, endAt: number): void | Promise<void> {
    st.countHeld();
    // A unary answer's first token is its first byte, which only the proxy saw (the body arrives buffered).
    // A local reply (no upstream answer at all) has no first token.
    if (st.unary) st.firstDataAt = ctx.get(UpstreamFirstByteAt) ?? (ctx.replied ? undefined : st.encodeAt);
    else st.firstDataAt ??= st.exchange?.firstDataAt;
    return finishRequest(ctx, st, this.finish, endAt);
  }

  /** The generation is retired: pending counter increments are handed over. */
  close(): void {
    this.counters.close();
  }

  /** model_encodings (longest prefix) → that encoding; else the worker's built-in OpenAI map, then default_encoding. */
  private encodingFor(model: string | undefined): EncodingChoice {
    const key = model ?? '';
    let choice = this.encodings.get(key);
    if (choice === undefined) {
      choice = chooseEncoding(model, this.cfg);
      if (this.encodings.size >= MAX_MODELS) this.encodings.clear();
      this.encodings.set(key, choice);
    }
    return choice;
  }
}

const IDENTITY: readonly string[] = [];
/** Distinct model names remembered by encodingFor; clients choose the name, so the map is bounded. */
const MAX_MODELS = 1024;

function chooseEncoding(model: string | undefined, cfg: ResolvedTokenizerConfig): EncodingChoice {
  const name = model?.slice(model.lastIndexOf('/') + 1).toLowerCase();
  let best = -1;
  let encoding: string | undefined;
  for (const [prefix, enc] of Object.entries(cfg.modelEncodings)) {
    const p = prefix.toLowerCase().replace(/\*$/, '');
    if (name !== undefined && name.startsWith(p) && p.length > best) {
      best = p.length;
      encoding = enc;
    }
  }
  if (encoding !== undefined) return { encoding };
  return { ...(model === undefined ? {} : { model }), fallbackEncoding: cfg.defaultEncoding };
}

/** A unary identity JSON body: usage from its ends when that is exact (json-tail.ts), else one full parse. */
function readUnary(st: TokenizerState, body: Buffer, maxBytes: number): void {
  if (body.length === 0) return;
  const scanned = scanUsageAtTop(body);
  if (scanned !== undefined) return st.tracker.observeScanned(scanned.usage, scanned.model);
  const atTop = usageAtTop(body);
  if (atTop !== undefined) return st.onTail(atTop);
  const text = body.toString('utf8');
  // Too big to parse on the event loop: the usage object is found from the end instead.
  if (body.length > maxBytes) return st.onTail(usageFromTail(text.slice(-TAIL_CHARS), text.slice(0, TAIL_CHARS)));
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return st.onProblem('the response body is not JSON', err);
  }
  st.onValue(value);
}

const TAIL_CHARS = 64 * 1024;

function resolveConfig(c: Readonly<TokenizerConfig>, configDir: string): ResolvedTokenizerConfig {
  const abs = (v: string) => (v.endsWith('.json') && !isAbsolute(v) ? resolve(configDir, v) : v);
  return {
    logToConsole: c.log_to_console ?? false,
    injectStreamUsage: c.inject_stream_usage ?? true,
    estimateMissingUsage: c.estimate_missing_usage ?? true,
    modelEncodings: Object.fromEntries(Object.entries(c.model_encodings ?? {}).map(([k, v]) => [k, abs(v)])),
    defaultEncoding: abs(c.default_encoding ?? 'o200k_base'),
    maxEventBytes: c.max_event_bytes ?? 1024 * 1024,
    knownModels: c.known_models ?? [],
  };
}
