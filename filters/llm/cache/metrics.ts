// The cache's metrics: what happened to each request (dgp_cache_requests_total by outcome), the tokens a hit saved,
// store failures (each one a MISS: the cache fails open), the in-process LRU's size, and the hit ratio as a gauge
// under Pixiu's roadmap name. Per-request counters go through CounterCells (no label hashing per request).
import type { Counter, Gauge } from 'prom-client';
import { CounterCells, type CounterCell, type MetricsApi } from '../../../core/index.js';

export type Outcome = 'hit' | 'hit_semantic' | 'coalesced' | 'miss' | 'bypass' | 'refresh' | 'skip';
export const OUTCOMES: readonly Outcome[] = ['hit', 'hit_semantic', 'coalesced', 'miss', 'bypass', 'refresh', 'skip'];

export class CacheMetrics {
  readonly storeErrors: Counter<'op'>;
  readonly #outcomes = new Map<Outcome, CounterCell>();
  readonly #saved: CounterCells<'kind'>;
  readonly #savedIn: CounterCell;
  readonly #savedOut: CounterCell;
  readonly stored: Counter<string>;
  readonly #savedUsd: Counter<string>;
  readonly falseHits: Counter<string>;
  #hits = 0;
  #lookups = 0;

  constructor(m: MetricsApi) {
    const requests = m.counter({
      name: 'dgp_cache_requests_total',
      help: 'Requests seen by dgp.filter.llm.cache, by outcome: hit, hit_semantic, coalesced (served from an identical request in flight), miss, bypass (no-store), refresh (no-cache), skip (not cacheable).',
      labelNames: ['outcome'],
    });
    const cells = new CounterCells(requests);
    for (const o of OUTCOMES) this.#outcomes.set(o, cells.cell({ outcome: o }));
    this.#saved = new CounterCells(m.counter({ name: 'dgp_cache_saved_tokens_total', help: 'Tokens the upstream did not have to process because the cache answered, by kind (input, output).', labelNames: ['kind'] }));
    this.#savedIn = this.#saved.cell({ kind: 'input' });
    this.#savedOut = this.#saved.cell({ kind: 'output' });
    this.storeErrors = m.counter({ name: 'dgp_cache_store_errors_total', help: 'Cache store calls that failed (each lookup that failed was served as a MISS), by operation.', labelNames: ['op'] });
    this.#savedUsd = m.counter({ name: 'dgp_cache_saved_usd_total', help: 'What the answers served from the cache cost when they were generated, USD (bundled price book): the upstream spend the cache saved.' });
    this.stored = m.counter({ name: 'dgp_cache_stored_total', help: 'Answers written to the cache.' });
    this.falseHits = m.counter({ name: 'dgp_cache_semantic_false_hits_total', help: 'Semantic hits reported wrong through POST /admin/v1/cache/feedback (the entry was evicted).' });
    const help = 'Share of cacheable requests of this process answered by the cache (hit, hit_semantic, coalesced) since start';
    this.#ratios = [m.gauge({ name: 'dgp_cache_hit_ratio', help: `${help}.` }), m.gauge({ name: 'ai_inference_cache_hit_ratio', help: `${help} (Pixiu roadmap name).` })];
    this.waiting = m.gauge({ name: 'dgp_cache_coalesce_waiting', help: 'Requests of this process waiting for an identical request in flight to answer (coalescing followers).' });
    this.#bytes = m.gauge({ name: 'dgp_cache_memory_bytes', help: 'Bytes of entries held by the in-process LRU (0 with a store adapter).' });
  }

  /** Followers waiting for a leader's answer right now. */
  readonly waiting: Gauge<string>;
  readonly #ratios: Array<Gauge<string>>;
  readonly #bytes: Gauge<string>;

  lruBytes(bytes: number): void {
    this.#bytes.set(bytes);
  }

  count(o: Outcome): void {
    this.#outcomes.get(o)!.add();
    if (o === 'skip' || o === 'bypass') return;
    this.#lookups++;
    if (o === 'hit' || o === 'hit_semantic' || o === 'coalesced') this.#hits++;
    for (const g of this.#ratios) g.set(this.#hits / this.#lookups);
  }

  savedUsd(nanos: number): void {
    if (nanos > 0) this.#savedUsd.inc(nanos / 1e9);
  }

  saved(input: number, output: number): void {
    if (input > 0) this.#savedIn.add(input);
    if (output > 0) this.#savedOut.add(output);
  }
}
