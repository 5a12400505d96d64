// The host's table of live services. A scope (one per generation, plus one for the gateway itself) records which
// services it uses; a service is closed when the last scope holding it is released, so a reload whose config keeps a
// service unchanged hands the same value to the new generation before the old one lets go of it.
import type { Logger } from 'pino';
import type { MetricsApi } from '../factory-api.js';
import { canonicalJson } from './canonical-json.js';
import type { ServiceDefinition, ServiceReadiness, ServicesApi } from './define.js';

export interface ServiceEntry {
  readonly def: ServiceDefinition<unknown, unknown>;
  readonly label: string;
  readonly value: unknown;
  readonly holders: Set<ServiceScope>;
}

export class ServiceRegistry {
  readonly #entries = new Map<string, ServiceEntry>();

  constructor(
    private readonly log: Logger,
    private readonly metrics: MetricsApi,
  ) {}

  /** A new holder (a generation, or the gateway's own process-wide parts). */
  scope(): ServiceScope {
    return new ServiceScope(this);
  }

  /** Services alive right now (tests, /ready). */
  get size(): number {
    return this.#entries.size;
  }

  acquire<T, C>(scope: ServiceScope, def: ServiceDefinition<T, C>, config: C): { entry: ServiceEntry; value: T } {
    const key = `${def.name}\0${canonicalJson(config)}`;
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      const log = this.log.child({ service: def.name });
      const value = def.create(config, { log, metrics: this.metrics });
      const label = def.instance ? `${def.name}:${def.instance(config)}` : def.name;
      entry = { def: def as ServiceDefinition<unknown, unknown>, label, value, holders: new Set() };
      this.#entries.set(key, entry);
      log.debug({ service: label }, 'service created');
    }
    entry.holders.add(scope);
    return { entry, value: entry.value as T };
  }

  async release(scope: ServiceScope, entries: Iterable<ServiceEntry>): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const entry of entries) {
      entry.holders.delete(scope);
      if (entry.holders.size === 0) closing.push(this.#close(entry));
    }
    await Promise.all(closing);
  }

  /** Closes every service still alive (Gateway.close, after the last generation). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.#entries.values()].map((e) => this.#close(e)));
  }

  async #close(entry: ServiceEntry): Promise<void> {
    for (const [key, e] of this.#entries) if (e === entry) this.#entries.delete(key);
    try {
      await entry.def.close?.(entry.value);
    } catch (err) {
      this.log.error({ err, service: entry.label }, 'service close failed');
    }
  }
}

/** The services one holder uses; implements FactoryContext.services for the factories of a generation. */
export class ServiceScope implements ServicesApi {
  readonly #entries = new Set<ServiceEntry>();
  #released = false;

  constructor(private readonly registry: ServiceRegistry) {}

  get<T, C>(def: ServiceDefinition<T, C>, config?: C): T {
    if (this.#released) throw new Error(`service ${def.name} requested after its generation was closed`);
    const { entry, value } = this.registry.acquire(this, def, config as C);
    this.#entries.add(entry);
    return value;
  }

  /** Readiness of every service this scope holds, keyed by service (and instance) name. */
  readiness(): Record<string, ServiceReadiness> {
    const out: Record<string, ServiceReadiness> = {};
    for (const e of this.#entries) out[e.label] = readinessOf(e);
    return out;
  }

  /** Lets go of every service; those no other scope holds are closed. Idempotent. */
  release(): Promise<void> {
    if (this.#released) return Promise.resolve();
    this.#released = true;
    const entries = [...this.#entries];
    this.#entries.clear();
    return this.registry.release(this, entries);
  }
}

function readinessOf(e: ServiceEntry): ServiceReadiness {
  if (!e.def.readiness) return { ready: true };
  try {
    return e.def.readiness(e.value);
  } catch (err) {
    return { ready: false, reason: `readiness check threw: ${(err as Error).message}` };
  }
}
