// What a key-store adapter (dgp.adapter.store.sqlite, dgp.adapter.store.postgres) hands out, and the shape check a
// filter passes to FactoryContext.adapter(id, shape) to get one by id.
import type { AdapterShape, MaybePromise } from '../../index.js';
import type { KeyStore } from './store-types.js';

export interface KeyStoreAdapterInstance {
  readonly keyStore: KeyStore;
  start(): MaybePromise<void>;
  stop(): MaybePromise<void>;
}

export function isKeyStoreAdapter(instance: unknown): instance is KeyStoreAdapterInstance {
  const ks = (instance as { keyStore?: Partial<KeyStore> } | null)?.keyStore;
  return typeof ks === 'object' && ks !== null && typeof ks.getKeyByHash === 'function' && typeof ks.appendSpend === 'function';
}

export const KEY_STORE_SHAPE: AdapterShape<KeyStoreAdapterInstance> = Object.freeze({
  is: isKeyStoreAdapter,
  what: 'key store',
  example: '{id: keystore, name: dgp.adapter.store.sqlite, config: {path: ./data/dgp.db}}',
});
