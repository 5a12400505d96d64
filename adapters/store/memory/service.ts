// The memory store as a host-owned service: the host's own definition (core/services/memory-store-service.ts), so
// that a filter defaulting to an in-process store and this adapter with the same config share one store, and so that
// the primary process of `dgp start --workers N` can run the shared ones.
export { memoryStoreService } from '../../../core/index.js';
