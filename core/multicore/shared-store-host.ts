// The primary side of the shared memory store: one MemoryStore per (service label, options) the workers name, run in
// the primary process, so that the counters, holds and rate limits of `dgp start --workers N` are the same for every
// worker instead of multiplied by N. Each call runs synchronously on that store, so calls from different workers are
// as atomic as calls from one process. A store lives as long as the primary (it outlives worker restarts and reloads,
// as a store service outlives reloads); max_keys and its sweeper bound its size.
import { canonicalJson } from '../services/canonical-json.js';
import { MemoryStore, type MemoryStoreOptions } from '../services/memory-store.js';
import type { StoreCall, StoreReply } from './protocol.js';

type Method = (...args: unknown[]) => Promise<unknown>;

export class SharedStoreHost {
  readonly #stores = new Map<string, MemoryStore>();

  get size(): number {
    return this.#stores.size;
  }

  async handle(call: StoreCall): Promise<StoreReply> {
    try {
      const store = this.#store(call.store, call.options);
      const method = (store as unknown as Record<string, Method>)[call.op];
      if (typeof method !== 'function' || !OPS.has(call.op)) throw new TypeError(`shared store: unknown operation ${String(call.op)}`);
      return { dgp: 'store-reply', id: call.id, ok: true, value: await method.apply(store, call.args) };
    } catch (err) {
      const e = err as Error;
      return { dgp: 'store-reply', id: call.id, ok: false, error: { name: e.name, message: e.message } };
    }
  }

  close(): void {
    for (const s of this.#stores.values()) s.close();
    this.#stores.clear();
  }

  #store(label: string, options: MemoryStoreOptions): MemoryStore {
    const key = `${label}\0${canonicalJson(options)}`;
    let store = this.#stores.get(key);
    if (store === undefined) this.#stores.set(key, (store = new MemoryStore(options)));
    return store;
  }
}

const OPS = new Set<string>(['get', 'set', 'delete', 'incrBy', 'reserve', 'setIfAbsent', 'hold', 'settle', 'admit', 'reconcile']);
