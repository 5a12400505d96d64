// Active health checks (Pixiu health_checks[], APISIX checks.active): every endpoint of a cluster is probed each
// interval; unhealthy_threshold failures in a row take it out of the LB candidates (setHealthy false), and
// healthy_threshold passes bring it back. One timer per endpoint and check, unref'd, all cleared by stop() (retire/close).
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { EndpointView } from '../cluster-api.js';
import type { HealthCheckSpec } from './types.js';

export interface ProbeState {
  /** The verdict of this check; undefined until a threshold has been reached once. */
  healthy: boolean | undefined;
  successes: number;
  failures: number;
  last_status: number | null;
  last_error: string | null;
  last_probe_at: string | null;
}

export interface HealthTarget {
  endpoints(cluster: string): readonly EndpointView[];
  setHealthy(cluster: string, id: string, healthy: boolean): void;
  /** A probe finished (metrics). */
  onProbe?(cluster: string, id: string, ok: boolean): void;
}

/** Probes one endpoint once; resolves to the status (http) or 0 (tcp connected), rejects on failure. */
function probe(ep: EndpointView, check: HealthCheckSpec): Promise<number> {
  return new Promise((resolve, reject) => {
    if (check.protocol === 'tcp') {
      const socket = net.connect({ host: ep.address, port: ep.port });
      socket.setTimeout(check.timeout, () => socket.destroy(new Error(`no connection within ${check.timeout} ms`)));
      socket.once('connect', () => {
        socket.destroy();
        resolve(0);
      });
      socket.once('error', reject);
      return;
    }
    const url = new URL(`${check.protocol}://${ep.authority}${check.http_path.startsWith('/') ? '' : '/'}${check.http_path}`);
    const lib = check.protocol === 'https' ? https : http;
    const req = lib.request(url, { method: check.method, headers: { ...check.headers }, agent: false, timeout: check.timeout }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('timeout', () => req.destroy(new Error(`no answer within ${check.timeout} ms`)));
    req.once('error', reject);
    req.end();
  });
}

function passes(check: HealthCheckSpec, status: number): boolean {
  if (check.protocol === 'tcp') return true;
  return check.healthy_statuses.length > 0 ? check.healthy_statuses.includes(status) : status >= 200 && status < 400;
}

export class HealthChecker {
  readonly #timers = new Set<NodeJS.Timeout>();
  /** By cluster, endpoint id and check index. */
  readonly #state = new Map<string, ProbeState>();
  #stopped = false;

  constructor(
    private readonly target: HealthTarget,
    private readonly checks: ReadonlyMap<string, readonly HealthCheckSpec[]>,
  ) {}

  start(): void {
    for (const [cluster, list] of this.checks) {
      list.forEach((check, i) => this.#schedule(cluster, i, check, check.initial_delay_seconds * 1000));
    }
  }

  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  /** The active-check state of an endpoint (the first check's when a cluster has several); undefined when unchecked. */
  state(cluster: string, id: string): ProbeState | undefined {
    return this.#state.get(`${cluster}\u0000${id}\u00000`);
  }

  hasChecks(cluster: string): boolean {
    return (this.checks.get(cluster)?.length ?? 0) > 0;
  }

  #schedule(cluster: string, index: number, check: HealthCheckSpec, delay: number): void {
    if (this.#stopped) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      void this.#round(cluster, index, check).finally(() => this.#schedule(cluster, index, check, check.interval));
    }, delay);
    timer.unref();
    this.#timers.add(timer);
  }

  /** One probe of every endpoint the cluster has now (endpoints may come and go between rounds). */
  async #round(cluster: string, index: number, check: HealthCheckSpec): Promise<void> {
    const endpoints = this.target.endpoints(cluster);
    await Promise.all(endpoints.map((ep) => this.#probeOne(cluster, index, check, ep)));
  }

  async #probeOne(cluster: string, index: number, check: HealthCheckSpec, ep: EndpointView): Promise<void> {
    const key = `${cluster}\u0000${ep.id}\u0000${index}`;
    let s = this.#state.get(key);
    if (s === undefined) this.#state.set(key, (s = { healthy: undefined, successes: 0, failures: 0, last_status: null, last_error: null, last_probe_at: null }));
    let ok: boolean;
    try {
      const status = await probe(ep, check);
      s.last_status = check.protocol === 'tcp' ? null : status;
      s.last_error = null;
      ok = passes(check, status);
    } catch (err) {
      s.last_status = null;
      s.last_error = (err as Error).message;
      ok = false;
    }
    if (this.#stopped) return;
    s.last_probe_at = new Date().toISOString();
    this.target.onProbe?.(cluster, ep.id, ok);
    if (ok) {
      s.failures = 0;
      s.successes++;
      if (s.healthy !== true && (s.successes >= check.healthy_threshold || (s.healthy === undefined && ep.healthy))) {
        s.healthy = true;
        if (!ep.healthy) this.target.setHealthy(cluster, ep.id, true);
      }
    } else {
      s.successes = 0;
      s.failures++;
      if (s.healthy !== false && s.failures >= check.unhealthy_threshold) {
        s.healthy = false;
        if (ep.healthy) this.target.setHealthy(cluster, ep.id, false);
      }
    }
  }
}
