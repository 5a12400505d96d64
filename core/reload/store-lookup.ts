// FactoryContext.store(id): finds the store adapter a filter config names among the generation's adapters, or throws
// a coded error naming the known store ids (the create() that asked fails, and the load reports it with file:line).
import { DgpError } from '../errors.js';
import type { AdapterInstance } from '../plugin-api.js';
import { isStoreAdapter, type Store } from '../services/store.js';

export function findStore(adapters: ReadonlyArray<{ kind: string; id: string; instance: AdapterInstance }>, id: string): Store {
  const known = adapters.filter((a) => isStoreAdapter(a.instance)).map((a) => a.id);
  const hint = known.length
    ? `known store ids: ${known.join(', ')}`
    : 'no store adapter is configured: add one under static_resources.adapters, e.g. {id: local, name: dgp.adapter.store.memory}';
  const found = adapters.find((a) => a.id === id);
  if (found === undefined) {
    throw new DgpError('DGP_ERR_STORE_UNKNOWN', `no adapter with id "${id}" under static_resources.adapters (${hint})`, { hint });
  }
  if (!isStoreAdapter(found.instance)) {
    throw new DgpError('DGP_ERR_STORE_UNKNOWN', `adapter "${id}" is ${found.kind}, not a store (${hint})`, { hint });
  }
  return found.instance.store;
}
