// Per-endpoint load and latency, process-wide (carried across generations like the cooldown store): requests in
// flight, a moving average of the time to the first byte (for a stream, the first event: time to first token), and
// recent outcomes. Read by load-aware picks (least request, latency) and shown by GET /admin/v1/clusters.
import type { EndpointOutcome, EndpointStatsApi, EndpointStatsView } from '../cluster-api.js';

/** Weight of a new sample in the moving averages (about the last ten requests count). */
const ALPHA = 0.2;
/** Endpoints tracked at most; dynamic registries may churn ids, so the table is reset past this (it is only a hint). */
const CAPACITY = 4096;

interface Stat {
  inFlight: number;
  requests: number;
  errors: number;
  latencyMs: number | undefined;
  errorRate: number;
  lastErrorAt: number | undefined;
}

export class EndpointStats implements EndpointStatsApi {
  readonly #stats = new Map<string, Stat>();

  #of(cluster: string, id: string): Stat {
    const key = `${cluster}\u0000${id}`;
    let s = this.#stats.get(key);
    if (s === undefined) {
      if (this.#stats.size >= CAPACITY) this.#stats.clear();
      s = { inFlight: 0, requests: 0, errors: 0, latencyMs: undefined, errorRate: 0, lastErrorAt: undefined };
      this.#stats.set(key, s);
    }
    return s;
  }

  begin(cluster: string, id: string): void {
    this.#of(cluster, id).inFlight++;
  }

  end(cluster: string, id: string, outcome: EndpointOutcome): void {
    const s = this.#of(cluster, id);
    if (s.inFlight > 0) s.inFlight--;
    s.requests++;
    s.errorRate += ALPHA * ((outcome.ok ? 0 : 1) - s.errorRate);
    if (!outcome.ok) {
      s.errors++;
      s.lastErrorAt = Date.now();
    }
    const ms = outcome.latencyMs;
    if (outcome.ok && ms !== undefined && Number.isFinite(ms)) s.latencyMs = s.latencyMs === undefined ? ms : s.latencyMs + ALPHA * (ms - s.latencyMs);
  }

  view(cluster: string, id: string): EndpointStatsView {
    const s = this.#stats.get(`${cluster}\u0000${id}`);
    if (s === undefined) return { in_flight: 0, requests: 0, errors: 0, latency_ms: null, error_rate: 0, last_error_at: null };
    return {
      in_flight: s.inFlight,
      requests: s.requests,
      errors: s.errors,
      latency_ms: s.latencyMs === undefined ? null : Math.round(s.latencyMs * 1000) / 1000,
      error_rate: Math.round(s.errorRate * 1000) / 1000,
      last_error_at: s.lastErrorAt === undefined ? null : new Date(s.lastErrorAt).toISOString(),
    };
  }
}
