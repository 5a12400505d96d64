// A KeyStore whose PostgreSQL connection opens in the background: service creation must not wait on the network, so
// every call waits for the open (connect + migrate) in progress; after a failed open, calls fail at once with the
// last error until `retryIntervalMs` has passed, then the next call tries again. Readiness says which state it is in.
import type { ServiceReadiness } from '../../../core/index.js';
import type { KeyStore } from '../../../core/llm/index.js';
import { storeUnavailable } from '../sql/errors.js';

const METHODS = [
  'appendSpend', 'createKey', 'getKey', 'getKeyByHash', 'updateKey', 'rotateKey', 'setKeyBlocked', 'deleteKey', 'listKeys',
  'createTeam', 'getTeam', 'updateTeam', 'deleteTeam', 'listTeams', 'createUser', 'getUser', 'updateUser', 'deleteUser',
  'listUsers', 'sumSpend', 'spendReport',
] as const satisfies ReadonlyArray<Exclude<keyof KeyStore, 'close'>>;

export class DeferredKeyStore {
  readonly keyStore: KeyStore;
  #store: KeyStore | undefined;
  #opening: Promise<KeyStore> | undefined;
  #failure: { error: unknown; at: number } | undefined;
  #closed = false;

  constructor(
    private readonly open: () => Promise<KeyStore>,
    private readonly label: string,
    private readonly retryIntervalMs: number,
  ) {
    const ks: Record<string, unknown> = {
      close: () => this.close(),
    };
    for (const m of METHODS) {
      ks[m] = (...args: unknown[]) => this.whenOpen().then((s) => (s[m] as (...a: unknown[]) => unknown)(...args));
    }
    this.keyStore = ks as unknown as KeyStore;
  }

  /** The open store; starts opening when needed. */
  whenOpen(): Promise<KeyStore> {
    if (this.#store !== undefined) return Promise.resolve(this.#store);
    if (this.#closed) return Promise.reject(storeUnavailable(`the PostgreSQL key store ${this.label} is closed`));
    if (this.#opening !== undefined) return this.#opening;
    if (this.#failure !== undefined && Date.now() - this.#failure.at < this.retryIntervalMs) return Promise.reject(this.#failure.error);
    this.#opening = this.open().then(
      async (store) => {
        this.#opening = undefined;
        if (this.#closed) {
          await store.close();
          throw storeUnavailable(`the PostgreSQL key store ${this.label} is closed`);
        }
        this.#failure = undefined;
        return (this.#store = store);
      },
      (error: unknown) => {
        this.#opening = undefined;
        this.#failure = { error, at: Date.now() };
        throw error;
      },
    );
    return this.#opening;
  }

  /** Resolves once the first open attempt settled, whatever its outcome (an unreachable server shows in /ready). */
  whenReady(): Promise<void> {
    return this.whenOpen().then(
      () => undefined,
      () => undefined,
    );
  }

  readiness(): ServiceReadiness {
    if (this.#store !== undefined) return { ready: true };
    if (this.#failure !== undefined) return { ready: false, reason: `${this.label}: ${(this.#failure.error as Error).message}` };
    return { ready: false, reason: `${this.label}: connecting` };
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#opening?.catch(() => undefined);
    const s = this.#store;
    this.#store = undefined;
    await s?.close();
  }
}
