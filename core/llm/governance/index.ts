// Governance records shared by the keys filter and the key-store adapters: the KeyStore contract (keys, teams,
// users, the spend ledger), the calendar of budget windows, the principal attribute and the key-store adapter shape;
// the per-request verdicts (guardrails, rate limits, charge) the audit record and the trace read.
export * from './store-types.js';
export * from './budget-window.js';
export * from './principal.js';
export * from './key-store-adapter.js';
export * from './cache-outcome.js';
export * from './guardrail-verdicts.js';
export * from './request-verdicts.js';
