// The tokenizer's counters as cells per label set (core CounterCells): one map lookup per request and per attempt
// instead of ~14 prom-client label hashes, which were the tokenizer's largest cost after parsing.
import type { Counter, Histogram } from 'prom-client';
import { CounterCells, HistogramCells, type CounterCell, type HistogramCell } from '../../../core/index.js';
import type { TokenizerMetrics } from './metrics.js';

export type Direction = 'prompt' | 'completion' | 'cached' | 'reasoning';

/** Everything one kind of request (cluster, endpoint, model, status, usage source) adds to. */
export interface RequestCells {
  totalDurationUs: CounterCell;
  streamingRequests: CounterCell;
  timeToLastTokenMs: CounterCell;
  promptTokens: CounterCell;
  completionTokens: CounterCell;
  totalTokens: CounterCell;
  tokens: Record<Direction, CounterCell>;
  /** dgp_llm_request_duration_seconds, dgp_llm_time_to_first_token_seconds, dgp_llm_time_per_output_token_seconds. */
  duration: HistogramCell;
  ttft: HistogramCell;
  tpot: HistogramCell;
}

/** Everything one kind of upstream attempt adds to. */
export interface AttemptCells {
  requests: CounterCell;
  /** Success or failure, by the attempt's outcome. */
  outcome: CounterCell;
  attempts: CounterCell;
}

export interface AttemptKey {
  cluster: string;
  endpoint: string;
  address: string;
  status: string;
  success: boolean;
  errorType: string;
}

const NO_CELL: CounterCell = { add() {} };

/** Label sets remembered per map; clients pick model names, so the maps are bounded (a reset only costs lookups). */
const MAX_KEYS = 1024;

export class TokenizerCounters {
  readonly #all: Array<{ close(): void }> = [];
  readonly #requests = new Map<string, RequestCells>();
  readonly #attempts = new Map<string, AttemptCells>();
  readonly #c: ReturnType<typeof cellsOf>;
  #lastRequest: { cluster: string; endpoint: string; model: string; status: string; source: string; stream: string; cells: RequestCells } | undefined;
  #lastAttempt: (AttemptKey & { cells: AttemptCells }) | undefined;

  constructor(m: TokenizerMetrics) {
    this.#c = cellsOf(m, this.#all);
  }

  request(cluster: string, endpoint: string, model: string, status: string, source: string, stream: 'true' | 'false'): RequestCells {
    // Steady traffic repeats the last label set: compared part by part, it costs no key string built and hashed.
    const last = this.#lastRequest;
    if (last !== undefined && last.cluster === cluster && last.endpoint === endpoint && last.model === model && last.status === status && last.source === source && last.stream === stream) return last.cells;
    const key = `${cluster}\u0000${endpoint}\u0000${model}\u0000${status}\u0000${source}\u0000${stream}`;
    let cells = this.#requests.get(key);
    if (cells === undefined) {
      const c = this.#c;
      const token = (direction: Direction) => c.tokens.cell({ direction, model, cluster, endpoint, source });
      cells = {
        totalDurationUs: c.totalDurationUs.cell({ cluster_name: cluster, status_code: status }),
        streamingRequests: c.streaming.cell({ cluster_name: cluster }),
        timeToLastTokenMs: c.timeToLastToken.cell({ cluster_name: cluster }),
        promptTokens: c.prompt.cell({ model, cluster_name: cluster }),
        completionTokens: c.completion.cell({ model, cluster_name: cluster }),
        totalTokens: c.total.cell({ model, cluster_name: cluster }),
        tokens: { prompt: token('prompt'), completion: token('completion'), cached: token('cached'), reasoning: token('reasoning') },
        duration: c.duration.cell({ model, cluster, endpoint, status_code: status, stream }),
        ttft: c.ttft.cell({ model, cluster, endpoint, stream }),
        tpot: c.tpot.cell({ model, cluster, endpoint }),
      };
      remember(this.#requests, key, cells);
    }
    this.#lastRequest = { cluster, endpoint, model, status, source, stream, cells };
    return cells;
  }

  attempt(a: AttemptKey): AttemptCells {
    const last = this.#lastAttempt;
    if (last !== undefined && last.cluster === a.cluster && last.endpoint === a.endpoint && last.address === a.address && last.status === a.status && last.success === a.success && last.errorType === a.errorType) return last.cells;
    const key = `${a.cluster}\u0000${a.endpoint}\u0000${a.address}\u0000${a.status}\u0000${a.success}\u0000${a.errorType}`;
    let cells = this.#attempts.get(key);
    if (cells === undefined) {
      const c = this.#c;
      const base = { cluster_name: a.cluster, endpoint_id: a.endpoint, endpoint_address: a.address };
      cells = {
        requests: c.upstreamRequests.cell(base),
        outcome: a.success
          ? c.upstreamSuccess.cell({ ...base, status_code: a.status })
          : c.upstreamFailure.cell({ ...base, status_code: a.status, error_type: a.errorType || 'unknown' }),
        attempts: c.upstreamAttempts.cell({ endpoint: a.endpoint, outcome: a.success ? 'success' : a.errorType || 'failure' }),
      };
      remember(this.#attempts, key, cells);
    }
    this.#lastAttempt = { ...a, cells };
    return cells;
  }

  /** Hands every pending increment over and detaches (the filter instance is retired). */
  close(): void {
    for (const c of this.#all) c.close();
  }
}

function cellsOf(m: TokenizerMetrics, all: Array<{ close(): void }>) {
  const cells = <L extends string>(counter: Counter<L>): CounterCells<L> => {
    const c = new CounterCells(counter);
    all.push(c);
    return c;
  };
  // A metric left out (Pixiu's non-base-unit sums, opt-in) counts into nothing.
  const maybe = <L extends string>(counter: Counter<L> | undefined): Pick<CounterCells<L>, 'cell'> => (counter === undefined ? { cell: () => NO_CELL } : cells(counter));
  const hcells = <L extends string>(histogram: Histogram<L>): HistogramCells<L> => {
    const c = new HistogramCells(histogram);
    all.push(c);
    return c;
  };
  return {
    totalDurationUs: maybe(m.pixiuTotalDurationUs),
    streaming: cells(m.pixiuStreamingRequests),
    timeToLastToken: maybe(m.pixiuTimeToLastTokenMs),
    prompt: cells(m.pixiuPromptTokens),
    completion: cells(m.pixiuCompletionTokens),
    total: cells(m.pixiuTotalTokens),
    tokens: cells(m.tokens),
    upstreamRequests: cells(m.pixiuUpstreamRequests),
    upstreamSuccess: cells(m.pixiuUpstreamSuccess),
    upstreamFailure: cells(m.pixiuUpstreamFailure),
    upstreamAttempts: cells(m.upstreamAttempts),
    duration: hcells(m.duration),
    ttft: hcells(m.ttft),
    tpot: hcells(m.tpot),
  };
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= MAX_KEYS) map.clear();
  map.set(key, value);
}
