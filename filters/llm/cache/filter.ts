// dgp.filter.llm.cache's per-generation instance. decode: read the request in pivot form, key it, and answer from the
// cache (HIT, HIT_SEMANTIC, COALESCED: a streaming follower attached to its leader's live answer) or step aside
// (MISS, REFRESH, BYPASS, SKIP); encode: say what happened and subscribe to the answer's response items (a leader
// shares them with its live followers); onComplete (always runs): store a complete, successful answer and hand it to
// the followers. A hit makes no upstream call and leaves no usage, so budgets and token limits charge it nothing (its
// saving goes to the ledger row); it still counts as a request.
import { AccessLogFields, Continue, Stop, UpstreamHold, type FactoryContext, type HookResult, type HttpFilter, type RequestContext, type WorkerPoolApi } from '../../../core/index.js';
import { LlmCacheOutcome, LlmCacheSavedNanos, LlmExchangeKey, PrincipalAttr, formatUsd, renderLlmLocalReply, renderLlmStreamError, type CacheOutcome, type CodecLog, type LlmUsage, type PriceBook } from '../../../core/llm/index.js';
import { answerComplete, recordOf, savedNanos } from './answer.js';
import { LruBackend } from './backend.js';
import type { Coalescer } from './coalesce.js';
import { allowedFor, readDirectives } from './directives.js';
import type { Entries } from './entries.js';
import { notCached } from './errors.js';
import { canonicalRequest, keyHashOf, targetsOf } from './key.js';
import type { CacheMetrics, Outcome } from './metrics.js';
import { RecordBuilder, type CacheRecord } from './record.js';
import { coalesce, liveEnd } from './follow.js';
import { HeldBody } from './held-body.js';
import { LiveAnswer } from './live.js';
import { liveStream } from './live-replay.js';
import { replayStream, replayUnary, type ReplayTarget } from './replay.js';
import { readCacheable, type CacheableRequest } from './request.js';
import type { CacheConfig } from './schema.js';
import { scopeOf } from './scope.js';
import type { Embed } from './semantic/embedder.js';
import type { SemanticIndex } from './semantic/index.js';
import { semanticLookup } from './semantic/lookup.js';
import type { SharedVectors } from './semantic/shared.js';
import { CacheStateKey, type CacheState } from './state.js';
import { ttlFor, type Durations } from './ttl.js';

export interface CacheDeps {
  cfg: Readonly<CacheConfig>;
  durations: Durations;
  entries: Entries;
  coalescer: Coalescer;
  semantic: SemanticIndex | undefined;
  embed: Embed | undefined;
  /** With a shared store: the semantic index's vectors shared between instances. */
  sharedVectors: SharedVectors | undefined;
  book: PriceBook;
  workers: Pick<WorkerPoolApi, 'run'>;
  metrics: CacheMetrics;
  fctx: Pick<FactoryContext, 'providers' | 'clusters' | 'log'>;
}

/** The request's logger, made only if a codec logs (ctx.log builds a child logger on first use). */
function lazyLog(ctx: RequestContext): CodecLog {
  return { debug: (o, m) => ctx.log.debug(o, m), warn: (o, m) => ctx.log.warn(o, m) };
}

function replayTarget(ctx: RequestContext, req: CacheableRequest): ReplayTarget {
  return { client: req.codec.client, settings: req.codec.settings, log: lazyLog(ctx), clientModel: req.model, stream: req.stream, includeUsage: req.includeUsage, query: ctx.request.query, api: req.api };
}

const HEADER: Record<Outcome, string> = { hit: 'HIT', hit_semantic: 'HIT_SEMANTIC', coalesced: 'COALESCED', miss: 'MISS', bypass: 'BYPASS', refresh: 'REFRESH', skip: 'SKIP' };
const LEDGER: Partial<Record<Outcome, CacheOutcome>> = { hit: 'hit', coalesced: 'hit', hit_semantic: 'semantic_hit', miss: 'miss', refresh: 'miss', bypass: 'bypass' };

export class CacheFilter implements HttpFilter {
  readonly renderLocalReply = renderLlmLocalReply;
  readonly renderStreamError = renderLlmStreamError;
  readonly #accepted: ReadonlySet<string>;
  #warnedGlobal = false;

  constructor(private readonly d: CacheDeps) {
    this.#accepted = new Set(d.cfg.finish_reasons);
  }

  decode(ctx: RequestContext): Promise<HookResult> {
    return this.#decode(ctx);
  }

  async #decode(ctx: RequestContext): Promise<HookResult> {
    const { cfg } = this.d;
    const req = await readCacheable(ctx, this.d.fctx.providers);
    const st: CacheState = { outcome: 'skip', entryKey: undefined, hash: '', canon: undefined, partition: undefined, vector: undefined, similarity: undefined, age: undefined, ttlMs: 0, clientModel: req?.model ?? '', leader: undefined, builder: undefined, locked: false };
    ctx.set(CacheStateKey, st);
    if (req === undefined) return this.#outcome(ctx, st, 'skip');
    const principal = ctx.get(PrincipalAttr);
    const dirs = readDirectives(ctx.request.headers, allowedFor(cfg.allow_directives, principal?.metadata));
    if (dirs.noStore) return this.#outcome(ctx, st, 'bypass');
    const { base, scope, fellBack } = scopeOf(cfg.scope, principal, ctx.request.headers, cfg.namespace_header);
    if (fellBack && !this.#warnedGlobal) {
      this.#warnedGlobal = true;
      this.d.fctx.log.warn({ scope: cfg.scope }, `cache: scope ${cfg.scope} needs the principal of dgp.filter.llm.keys before this filter; without it entries are shared globally`);
    }
    st.ttlMs = ttlFor(this.d.durations, principal?.metadata, ctx.request.headers);
    const canon = (st.canon = canonicalRequest(req.chat, ctx.route.cluster, targetsOf(this.d.fctx.clusters.endpoints(ctx.route.cluster), req.model)));
    st.hash = await keyHashOf(`${scope}\n${canon.full}`, this.d.workers);
    const { entries } = this.d;
    const b = entries.backend;
    // The in-process LRU answers at once: no store call to fail open around.
    const gen = b instanceof LruBackend ? b.generationNow(base) : await entries.try('generation', () => b.generation(base));
    if (gen !== undefined) st.entryKey = `${base}|${gen}|${st.hash}`;
    if (!dirs.noCache && st.entryKey !== undefined) {
      const rec = await entries.read(st.entryKey, dirs.maxAge);
      if (rec !== undefined) return this.#serve(ctx, st, req, rec, 'hit');
      const sem = this.d.semantic === undefined || this.d.embed === undefined || cfg.semantic === undefined ? undefined : await semanticLookup(this.d.semantic, this.d.embed, cfg.semantic, entries, ctx, st, scope, gen, dirs.maxAge, this.d.sharedVectors);
      if (sem !== undefined) return this.#serve(ctx, st, req, sem, 'hit_semantic');
    }
    if (dirs.onlyIfCached) {
      this.#outcome(ctx, st, 'miss');
      return ctx.replyError(notCached('only-if-cached: the cache holds no answer to this request'));
    }
    if (cfg.coalesce && !dirs.noCache && st.entryKey !== undefined) {
      const got = await coalesce(this.d, ctx, st, scope, req.stream);
      if (got instanceof LiveAnswer) {
        const served = this.#serveLive(ctx, st, req, got);
        if (served !== undefined) return served;
      } else if (got !== undefined) return this.#serve(ctx, st, req, got, 'coalesced');
      // The leader keeps its upstream call for attached followers when its own client leaves.
      const live = st.leader?.live;
      if (live !== undefined) ctx.set(UpstreamHold, () => live.hold());
    }
    st.builder = new RecordBuilder(cfg.max_entry_bytes);
    return this.#outcome(ctx, st, dirs.noCache ? 'refresh' : 'miss');
  }

  /** A streaming follower attached to the leader's answer as it arrives; undefined when it could not attach. */
  #serveLive(ctx: RequestContext, st: CacheState, req: CacheableRequest, live: LiveAnswer): HookResult | undefined {
    const out = liveStream(replayTarget(ctx, req), live, ctx);
    if (out === undefined) return undefined;
    this.#outcome(ctx, st, 'coalesced');
    st.age = 0;
    st.live = live;
    ctx.response.status = 200;
    ctx.response.headers = { 'content-type': out.contentType, 'cache-control': 'no-cache' };
    ctx.response.body = out.body;
    return Stop;
  }

  #serve(ctx: RequestContext, st: CacheState, req: CacheableRequest, rec: CacheRecord, outcome: Outcome): HookResult {
    this.#outcome(ctx, st, outcome);
    st.age = Math.max(0, Math.floor((Date.now() - rec.stored_at) / 1000));
    const target = replayTarget(ctx, req);
    const res = ctx.response;
    res.status = 200;
    if (req.stream) {
      const { contentType, body } = replayStream(target, rec, this.d.cfg.replay_pacing_ms, ctx);
      res.headers = { 'content-type': contentType, 'cache-control': 'no-cache' };
      res.body = body;
    } else {
      res.headers = { 'content-type': 'application/json' };
      res.body = replayUnary(target, rec);
    }
    if (rec.usage !== null) this.#saved(ctx, st, rec.usage, savedNanos(this.d.book, rec));
    return Stop;
  }

  /** What serving an answer again saved: metrics, and the nano-USD for the access log and the spend ledger row. */
  #saved(ctx: RequestContext, st: CacheState, usage: LlmUsage, nanos: number | undefined): void {
    this.d.metrics.saved(usage.input, usage.output);
    st.savedNanos = nanos;
    if (nanos === undefined) return;
    this.d.metrics.savedUsd(nanos);
    ctx.set(LlmCacheSavedNanos, nanos);
  }

  #outcome(ctx: RequestContext, st: CacheState, o: Outcome): HookResult {
    st.outcome = o;
    this.d.metrics.count(o);
    const ledger = LEDGER[o];
    if (ledger !== undefined) ctx.set(LlmCacheOutcome, ledger);
    return Continue;
  }

  encode(ctx: RequestContext): void {
    const st = ctx.get(CacheStateKey);
    if (st === undefined) return;
    const h = ctx.response.headers;
    h['x-dgp-cache'] = HEADER[st.outcome];
    if (st.outcome !== 'skip') {
      const fields: Record<string, unknown> = { ...ctx.get(AccessLogFields), cache: HEADER[st.outcome] };
      if (st.savedNanos !== undefined) fields.cache_saved_usd = formatUsd(st.savedNanos);
      ctx.set(AccessLogFields, fields);
    }
    if (st.age !== undefined) h.age = String(st.age);
    if (st.similarity !== undefined) h['x-dgp-cache-similarity'] = st.similarity.toFixed(4);
    if (this.d.cfg.debug_key && st.hash !== '') h['x-dgp-cache-key'] = st.hash;
    if (st.builder === undefined || ctx.replied || ctx.response.status !== 200) return;
    const lx = ctx.get(LlmExchangeKey);
    const live = st.leader?.live;
    if (lx === undefined || live === undefined) return void lx?.subscribe(st.builder.onItem);
    // A leader: its items go to the live followers too, and its body is held for them if its client leaves.
    live.clientModel = st.clientModel;
    live.model = lx.reportedModel() ?? st.clientModel;
    const onItem = st.builder.onItem;
    lx.subscribe((item) => (onItem(item), live.push(item)));
    const body = ctx.response.body;
    if (body !== undefined && !Buffer.isBuffer(body)) ctx.response.body = new HeldBody(body, live, () => (st.drained = true));
  }

  onComplete(ctx: RequestContext): void | Promise<void> {
    const st = ctx.get(CacheStateKey);
    const followed = st?.live?.ended;
    // A live follower's saving is known once the leader's answer is complete (the row and the log line come after).
    if (followed?.ok === true && followed.usage !== null && !ctx.aborted) {
      this.#saved(ctx, st!, followed.usage, followed.savedNanos);
      if (st!.savedNanos !== undefined) ctx.set(AccessLogFields, { ...ctx.get(AccessLogFields), cache_saved_usd: formatUsd(st!.savedNanos) });
    }
    if (st?.builder === undefined) return;
    const rec = recordOf(ctx, st, st.builder);
    if (st.leader !== undefined) {
      const live = st.leader.live;
      const complete = answerComplete(ctx, st);
      live.end(liveEnd(live.items, complete, complete ? (ctx.get(LlmExchangeKey)?.settle(ctx) ?? null) : null, rec === undefined ? undefined : savedNanos(this.d.book, rec)));
      st.leader.finish(rec);
    }
    const { entries } = this.d;
    const key = st.entryKey;
    const stored = rec !== undefined && key !== undefined && rec.choices.every((c) => this.#accepted.has(c.finish)) ? this.#store(key, st, rec) : undefined;
    if (!st.locked || key === undefined) return stored;
    // The lock goes only after the entry is written: a remote follower that sees it gone reads the entry once more.
    const unlock = (): Promise<unknown> => entries.try('unlock', () => entries.backend.unlock!(key));
    return (stored ?? Promise.resolve()).then(unlock).then(() => undefined);
  }

  async #store(key: string, st: CacheState, rec: CacheRecord): Promise<void> {
    const written = await this.d.entries.write(key, rec, st.ttlMs, this.d.cfg.max_entry_bytes);
    if (!written || this.d.semantic === undefined || st.partition === undefined || st.vector === undefined || st.canon?.lastUserText === undefined) return;
    const v = this.d.semantic.add(st.partition, st.vector, st.canon.lastUserText, key, st.ttlMs);
    await this.d.sharedVectors?.push(st.partition, v, st.ttlMs);
  }
}
