// The LLM layer's SDK (`dgp-gateway/llm`): provider codec contract, pivot types, translation helpers. It sits on the
// host the way a plugin does: everything here imports only the core SDK (core/index.ts).
export * from './api.js';
export * from './client-api.js';
export * from './request-model.js';
export * from './render-error.js';
export * from './errors.js';
export * from './pricing/index.js';
export * from './governance/index.js';
export * from './usage.js';
export * from './items.js';
export * from './exchange.js';
export * from './response-tap.js';
export * from './unary-tap.js';
export { contentCodings } from './content-coding.js';
export * from './json-bytes.js';
export * from './stream-usage.js';
export * from './observe/index.js';
export * from './ids.js';
