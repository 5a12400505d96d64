// Typed services and the store contract: what the SDK exports to plugins (the host's registry stays internal).
export { defineService, type ServiceDefinition, type ServiceContext, type ServiceReadiness, type ServicesApi } from './define.js';
export {
  isStoreAdapter,
  checkReserveItems,
  checkHoldRequest,
  type Store,
  type StoreAdapterInstance,
  type StoreSetOptions,
  type StoreIncrOptions,
  type StreamEntry,
  type StreamAppendOptions,
  type ReserveItem,
  type ReserveResult,
  type HoldItem,
  type HoldRequest,
  type HoldResult,
  type SettleItem,
  type SettleRequest,
  type SettleResult,
} from './store.js';
export {
  checkAdmitRequest,
  checkReconcileRequest,
  type RateCell,
  type LeaseCell,
  type AdmitRequest,
  type AdmitResult,
  type RateState,
  type RateAdjustment,
  type ReconcileRequest,
} from './limit-store.js';
// The in-process store (the host runs it for the primary of `--workers N` too) and its service.
export { MemoryStore, MEMORY_STORE_KIND, type MemoryStoreOptions } from './memory-store.js';
export { memoryStoreService, createMemoryStore, MEMORY_STORE_DEFAULTS } from './memory-store-service.js';
