// core/workers: the one worker pool per process and the types of its tasks.
export { createWorkerPool, defaultThreadCount } from './pool.js';
export type { WorkerPool, WorkerPoolOptions, WorkerPoolStats } from './pool.js';
export { canonicalJson } from './tasks/hash.js';
export { DEFAULT_MODEL_ENCODINGS, TIKTOKEN_ENCODINGS, lookupModel } from './tasks/encodings.js';
export type * from './tasks/types.js';
