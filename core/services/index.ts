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
// The in-process store.
export { MemoryStore, MEMORY_STORE_KIND, type MemoryStoreOptions } from './memory-store.js';
