// Pixiu's circuit breaker (circuit_breaker.go, spec §3.4.5), transition for transition: Closed → Open after
// `failure_threshold` failures; Open → HalfOpen once `recovery_timeout` passed (that first call is not counted);
// HalfOpen allows `half_open_max_calls` more; a success closes; a failure in HalfOpen reopens at once.
import { DgpError } from '../../../core/index.js';
import type { BreakerOptions } from './options.js';
import { KvcacheBreakerOpen } from './errors.js';

export const BreakerState = { Closed: 0, Open: 1, HalfOpen: 2 } as const;
export type BreakerStateValue = (typeof BreakerState)[keyof typeof BreakerState];

export function breakerOpenError(name: string): DgpError {
  return KvcacheBreakerOpen(`kvcache circuit breaker open (${name}): the call was not made`, {
    hint: 'the service failed circuit_breaker.failure_threshold times in a row; it is probed again after recovery_timeout',
  });
}

export class CircuitBreaker {
  #state: BreakerStateValue = BreakerState.Closed;
  #failureCount = 0;
  #halfOpenCalls = 0;
  #lastFailTime = 0;

  constructor(
    readonly name: string,
    private readonly opts: BreakerOptions,
    private readonly now: () => number = () => performance.now(),
    /** Called on every state change (metrics). */
    private readonly onChange: (state: BreakerStateValue) => void = () => {},
  ) {}

  get state(): BreakerStateValue {
    return this.#state;
  }
  get failureCount(): number {
    return this.#failureCount;
  }
  get halfOpenCalls(): number {
    return this.#halfOpenCalls;
  }

  /** Runs `op` when allowed; rejects with DGP_ERR_KVCACHE_BREAKER_OPEN (op not run) otherwise. */
  async execute<T>(op: () => Promise<T>, counts: (err: unknown) => boolean = () => true): Promise<T> {
    if (!this.allow()) throw breakerOpenError(this.name);
    let value: T;
    try {
      value = await op();
    } catch (err) {
      // A call the client cancelled says nothing about the service's health.
      if (counts(err)) this.recordFailure();
      throw err;
    }
    this.recordSuccess();
    return value;
  }

  allow(): boolean {
    switch (this.#state) {
      case BreakerState.Open:
        if (this.now() - this.#lastFailTime >= this.opts.recoveryTimeoutMs) {
          this.#set(BreakerState.HalfOpen);
          this.#halfOpenCalls = 0;
          return true;
        }
        return false;
      case BreakerState.HalfOpen:
        if (this.#halfOpenCalls >= this.opts.halfOpenMaxCalls) return false;
        this.#halfOpenCalls++;
        return true;
      default:
        return true;
    }
  }

  recordSuccess(): void {
    this.#failureCount = 0;
    if (this.#state !== BreakerState.Closed) {
      this.#set(BreakerState.Closed);
      this.#halfOpenCalls = 0;
    }
  }

  recordFailure(): void {
    this.#failureCount++;
    this.#lastFailTime = this.now();
    if (this.#failureCount >= this.opts.failureThreshold) this.#set(BreakerState.Open);
  }

  /** Test hook mirroring Pixiu's tests, which set halfOpenCalls directly. */
  setHalfOpenCallsForTest(n: number): void {
    this.#halfOpenCalls = n;
  }

  #set(state: BreakerStateValue): void {
    if (state === this.#state) return;
    this.#state = state;
    this.onChange(state);
  }
}
