// The in-process Store implementation lives in the host (core/services/memory-store.ts), because the primary process
// of `dgp start --workers N` runs it for every worker; re-exported here for code that imports it from the adapter.
export { MemoryStore, MEMORY_STORE_KIND } from '../../../core/index.js';
