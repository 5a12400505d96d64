// dgp.filter.llm.cache's per-generation instance. decode: read the request in pivot form, key it, and answer from the
// cache (HIT, HIT_SEMANTIC, COALESCED: a streaming follower attached to its leader's live answer) or step aside
// (MISS, REFRESH, BYPASS, SKIP); encode: say what happened and subscribe to the answer's response items (a leader
// shares them with its live followers); onComplete (always runs): store a complete, successful answer and hand it to
// the followers. A hit makes no upstream call and leaves no usage, so budgets and token limits charge it nothing (its
// saving goes to the ledger row); it still counts as a request.
import { AccessLogFields, Continue, Stop, UpstreamHold, type HookResult, type HttpFilter, type RequestContext } from '../../../core/index.js';
import { LlmCacheOutcome, LlmCacheSavedNanos, LlmExchangeKey, PrincipalAttr, formatUsd, renderLlmLocalReply, renderLlmStreamError, type CacheOutcome, type LlmUsage } from '../../../core/llm/index.js';
import { answerComplete, recordOf, savedNanos } from './answer.js';
import { LruBackend } from './backend.js';
import type { CacheDeps } from './deps.js';
import { allowedFor, readDirectives } from './directives.js';
import { notCached } from './errors.js';
import { canonicalRequest, keyHashOf, targetsOf } from './key.js';
import type { Outcome } from './metrics.js';
import { RecordBuilder, type CacheRecord } from './record.js';
import { coalesce, liveEnd } from './follow.js';
import { HeldBody } from './held-body.js';
import { LiveAnswer } from './live.js';
import { reportOutcome } from './report.js';
import { readCacheable, type CacheableRequest } from './request.js';
import { scopeOf } from './scope.js';
import { semanticLookup } from './semantic/lookup.js';
import { startLive, writeLive, writeReplay } from './serve.js';
import { CacheStateKey, type CacheState } from './state.js';
import { ttlFor } from './ttl.js';

export type { CacheDeps } from './deps.js';

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
    const out = startLive(ctx, req, live);
    if (out === undefined) return undefined;
    this.#outcome(ctx, st, 'coalesced');
    st.age = 0;
    st.live = live;
    writeLive(ctx, out);
    return Stop;
  }

  #serve(ctx: RequestContext, st: CacheState, req: CacheableRequest, rec: CacheRecord, outcome: Outcome): HookResult {
    this.#outcome(ctx, st, outcome);
    st.age = Math.max(0, Math.floor((Date.now() - rec.stored_at) / 1000));
    writeReplay(ctx, req, rec, this.d.cfg.replay_pacing_ms);
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
    reportOutcome(ctx, st, this.d.cfg.debug_key);
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
