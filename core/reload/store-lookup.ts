// FactoryContext.adapter(id) and .store(id): find the adapter a filter config names among the generation's adapters,
// or throw a coded error naming the known ids (the create() that asked fails, and the load reports it with file:line).
import { DgpError } from '../errors.js';
import type { AdapterInstance, AdapterShape } from '../plugin-api.js';
import { isStoreAdapter, type Store } from '../services/store.js';

type Adapters = ReadonlyArray<{ kind: string; id: string; instance: AdapterInstance }>;

/** The instance of adapter `id`; with `shape`, only an adapter whose instance passes `shape.is`. */
export function findAdapter<T>(adapters: Adapters, id: string, shape?: AdapterShape<T>, code = 'DGP_ERR_ADAPTER_UNKNOWN'): T {
  const what = shape?.what ?? 'adapter';
  const known = adapters.filter((a) => shape === undefined || shape.is(a.instance)).map((a) => a.id);
  const hint = known.length
    ? `known ${what} ids: ${known.join(', ')}`
    : `no ${what} is configured: add one under static_resources.adapters${shape?.example === undefined ? '' : `, e.g. ${shape.example}`}`;
  const found = adapters.find((a) => a.id === id);
  if (found === undefined) {
    throw new DgpError(code, `no adapter with id "${id}" under static_resources.adapters (${hint})`, { hint });
  }
  if (shape !== undefined && !shape.is(found.instance)) {
    throw new DgpError(code, `adapter "${id}" is ${found.kind}, not a ${what} (${hint})`, { hint });
  }
  return found.instance as T;
}

export function findStore(adapters: Adapters, id: string): Store {
  const shape = { is: isStoreAdapter, what: 'store', example: '{id: local, name: dgp.adapter.store.memory}' };
  return findAdapter(adapters, id, shape, 'DGP_ERR_STORE_UNKNOWN').store;
}
