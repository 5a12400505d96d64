// The typed service contract: a long-lived value (a store client, connection pools, a process-wide table) declared
// once by its owner and created, shared across reloads, reported in GET /ready and closed by the host.
// Rules:
// - `create` MUST be synchronous and MUST NOT block on I/O: connect in the background and report through readiness.
// - The host creates one value per (service name, deep-equal config) and keeps it while any generation uses it;
//   `close` runs once, after the last generation holding it was closed, or on Gateway.close().
// - `readiness` MUST be cheap and synchronous (GET /ready calls it on every probe).
import type { Logger } from 'pino';
import type { MaybePromise } from '../plugin-api.js';
import type { MetricsApi } from '../factory-api.js';

/** What a service reports in GET /ready under `detail[<service name>]`; `ready: false` makes /ready answer 503. */
export interface ServiceReadiness {
  readonly ready: boolean;
  /** Why it is not ready, in one line a reader can act on (shown as /ready's `reason`). */
  readonly reason?: string;
  /** Any further detail, shown as is. */
  readonly [detail: string]: unknown;
}

/** What the host hands a service's `create`. */
export interface ServiceContext {
  /** Child logger bound to `service: <name>`. */
  readonly log: Logger;
  readonly metrics: MetricsApi;
}

export interface ServiceDefinition<T, C = undefined> {
  /** Unique dotted name, usually the owner's kind (e.g. `dgp.adapter.store.redis`); the key in /ready detail. */
  readonly name: string;
  create(config: C, ctx: ServiceContext): T;
  close?(value: T): MaybePromise<void>;
  readiness?(value: T): ServiceReadiness;
  /** Tells apart instances of one service with different configs in /ready: `detail["<name>:<instance>"]`. */
  instance?(config: C): string;
}

/** How a factory reaches services: one value per (definition, deep-equal config), owned by the host. */
export interface ServicesApi {
  get<T>(def: ServiceDefinition<T, undefined>): T;
  get<T, C>(def: ServiceDefinition<T, C>, config: C): T;
}

/** Declares a service; the returned definition is frozen and is what `FactoryContext.services.get` takes. */
export function defineService<T, C = undefined>(def: ServiceDefinition<T, C>): ServiceDefinition<T, C> {
  if (typeof def.name !== 'string' || def.name === '') throw new TypeError('defineService: name must be a non-empty string');
  if (typeof def.create !== 'function') throw new TypeError(`defineService(${def.name}): create must be a function`);
  return Object.freeze({ ...def });
}
