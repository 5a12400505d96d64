// dgp.filter.llm.tokenizer: token usage and latency accounting. decode reads the request (and injects include_usage),
// encode starts parsing the response, onChunk watches (or, for an injected usage chunk, rewrites) the stream as it
// passes, and onComplete reports every metric exactly once — also after errors and client aborts.
import { isAbsolute, resolve } from 'node:path';
import { RequestModel, UpstreamFirstByteAt, type FactoryContext, type HttpFilter, type RequestContext } from '../../../core/index.js';
import { contentCodings } from './decompress.js';
import { CompletionCounter, type EncodingChoice } from './estimate.js';
import { createTokenizerMetrics, type TokenizerMetrics } from './metrics.js';
import { readRequestFacts } from './request-facts.js';
import { finishRequest } from './report.js';
import type { ResolvedTokenizerConfig, TokenizerConfig } from './schema.js';
import { TokenizerStateKey, type TokenizerState } from './state.js';
import { StreamObserver } from './stream-observer.js';
import { completionText, UsageTracker } from './usage.js';

export class TokenizerFilter implements HttpFilter {
  private readonly cfg: ResolvedTokenizerConfig;
  private readonly metrics: TokenizerMetrics;

  constructor(
    config: Readonly<TokenizerConfig>,
    private readonly fctx: FactoryContext,
  ) {
    this.cfg = resolveConfig(config, fctx.configDir);
    this.metrics = createTokenizerMetrics(fctx.metrics);
  }

  async decode(ctx: RequestContext): Promise<void> {
    const facts = await readRequestFacts(ctx, this.cfg.injectStreamUsage);
    if (facts.model !== undefined && ctx.get(RequestModel) === undefined) ctx.set(RequestModel, facts.model);
    const choice = this.encodingFor(facts.model);
    const counter = this.cfg.estimateMissingUsage
      ? new CompletionCounter(async (text) => (await this.fctx.workers.run<{ count: number }>('tokenize', { ...choice, text })).count)
      : undefined;
    const st: TokenizerState = {
      facts,
      tracker: new UsageTracker(),
      counter,
      observer: undefined,
      unaryParse: undefined,
      sse: false,
      encodeAt: undefined,
      firstDataAt: undefined,
      streamEndAt: undefined,
      reported: false,
    };
    ctx.set(TokenizerStateKey, st);
  }

  encode(ctx: RequestContext): void {
    const st = ctx.get(TokenizerStateKey);
    if (!st || st.encodeAt !== undefined) return;
    st.encodeAt = performance.now();
    const { headers, body } = ctx.response;
    if (body === undefined) return;
    const ct = headers['content-type'];
    st.sse = String(Array.isArray(ct) ? ct[0] : (ct ?? '')).toLowerCase().includes('text/event-stream');
    const codings = contentCodings(headers['content-encoding']);
    if (codings === undefined) {
      ctx.log.debug({ encoding: headers['content-encoding'] }, 'tokenizer: unsupported Content-Encoding; usage not parsed');
      return;
    }
    const unary = Buffer.isBuffer(body);
    st.observer = new StreamObserver({
      sse: st.sse,
      codings,
      strip: st.facts.injected && !unary && st.sse,
      maxEventBytes: this.cfg.maxEventBytes,
      onValue: (v) => {
        st.tracker.observe(v);
        if (st.tracker.found) st.counter?.discard();
        else st.counter?.add(completionText(v));
      },
      onTail: (parts) => st.tracker.observeParts(parts),
      onFirstData: () => {
        if (!unary) st.firstDataAt ??= performance.now();
      },
      onProblem: (reason, err) => ctx.log.debug({ err }, `tokenizer: ${reason}`),
    });
    if (unary) {
      // Parsed after encode returns: the client's bytes never wait for our parsing.
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
    if (!st?.observer || st.unaryParse) return undefined;
    st.streamEndAt = performance.now();
    return st.observer.finish();
  }

  async onComplete(ctx: RequestContext): Promise<void> {
    const st = ctx.get(TokenizerStateKey);
    if (!st || st.reported) return;
    st.reported = true;
    const endAt = st.streamEndAt ?? performance.now();
    if (st.unaryParse) await st.unaryParse;
    else if (st.observer) await st.observer.finish(); // an aborted stream: count what went by
    // A unary answer's first token is its first byte, which only the proxy saw (the body arrives buffered).
    // A local reply (no upstream answer at all) has no first token.
    if (st.unaryParse) st.firstDataAt = ctx.get(UpstreamFirstByteAt) ?? (ctx.replied ? undefined : st.encodeAt);
    await finishRequest(ctx, st, {
      metrics: this.metrics,
      cfg: this.cfg,
      pool: this.fctx.workers,
      encoding: this.encodingFor(st.tracker.model ?? st.facts.model),
      endAt,
    });
  }

  /** model_encodings (longest prefix) → that encoding; else the worker's built-in OpenAI map, then default_encoding. */
  private encodingFor(model: string | undefined): EncodingChoice {
    const name = model?.slice(model.lastIndexOf('/') + 1).toLowerCase();
    let best = -1;
    let encoding: string | undefined;
    for (const [prefix, enc] of Object.entries(this.cfg.modelEncodings)) {
      const p = prefix.toLowerCase().replace(/\*$/, '');
      if (name !== undefined && name.startsWith(p) && p.length > best) {
        best = p.length;
        encoding = enc;
      }
    }
    if (encoding !== undefined) return { encoding };
    return { ...(model === undefined ? {} : { model }), fallbackEncoding: this.cfg.defaultEncoding };
  }
}

function resolveConfig(c: Readonly<TokenizerConfig>, configDir: string): ResolvedTokenizerConfig {
  const abs = (v: string) => (v.endsWith('.json') && !isAbsolute(v) ? resolve(configDir, v) : v);
  return {
    logToConsole: c.log_to_console ?? false,
    injectStreamUsage: c.inject_stream_usage ?? true,
    estimateMissingUsage: c.estimate_missing_usage ?? true,
    modelEncodings: Object.fromEntries(Object.entries(c.model_encodings ?? {}).map(([k, v]) => [k, abs(v)])),
    defaultEncoding: abs(c.default_encoding ?? 'o200k_base'),
    maxEventBytes: c.max_event_bytes ?? 1024 * 1024,
  };
}
