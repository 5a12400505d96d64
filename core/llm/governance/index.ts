// Governance records shared by the keys filter and the key-store adapters: the KeyStore contract (keys, teams,
// users, the spend ledger) and the calendar of budget windows.
export * from './store-types.js';
export * from './budget-window.js';
