// Upstream body helpers: size limits for held bodies, the idle timer and the head checks.
import { performance } from 'node:perf_hooks';
import { IDLE_TIMEOUT_CODE, timeoutError } from '../../../core/index.js';

/** Failed attempts' bodies are error JSON; anything beyond this is cut (the socket is then closed, not reused). */
export const FAILED_BODY_LIMIT = 1024 * 1024;
/** Unary 2xx answers up to this size (by Content-Length) become a Buffer; larger ones are streamed. */
export const UNARY_BUFFER_LIMIT = 8 * 1024 * 1024;

/**
 * The upstream's silence limit between body chunks (0 = none): once it passes while a read waits for bytes, `onIdle`
 * gets a DGP_IDLE_TIMEOUT error (the caller aborts the call). Our own timer, because undici's body timer ticks at
 * ~1 s resolution. Only the wait for upstream bytes is timed, never the consumer's own pace (backpressure is not
 * silence). One timer per body, re-armed only when it fires early, instead of a setTimeout/clearTimeout pair per
 * chunk.
 */
export class IdleWatch {
  #since = -1;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    private readonly idleMs: number,
    private readonly onIdle: (err: Error) => void,
  ) {}

  /** A read starts waiting for upstream bytes (or, collecting, a chunk arrived: silence counts from now). */
  wait(): void {
    if (this.idleMs <= 0 || this.#stopped) return;
    this.#since = performance.now();
    if (this.#timer === undefined) this.#arm(this.idleMs);
  }

  /** Bytes arrived for the waiting read. */
  rest(): void {
    this.#since = -1;
  }

  stop(): void {
    this.#stopped = true;
    this.#since = -1;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(this.#fire, ms);
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    if (this.#since < 0) return; // not waiting now: the next wait() arms it again
    const left = this.#since + this.idleMs - performance.now();
    if (left > 0) return this.#arm(left);
    this.stop();
    this.onIdle(timeoutError(IDLE_TIMEOUT_CODE, `the upstream sent no body bytes for ${this.idleMs} ms`));
  };
}

export function isEventStream(headers: Record<string, string | number | string[] | undefined>): boolean {
  const ct = headers['content-type'];
  const v = Array.isArray(ct) ? ct[0] : ct;
  return typeof v === 'string' && v.toLowerCase().trimStart().startsWith('text/event-stream');
}

export function contentLength(headers: Record<string, string | string[] | undefined>): number | undefined {
  const raw = headers['content-length'];
  const v = Array.isArray(raw) ? raw[0] : raw;
  if (v === undefined || !/^\d+$/.test(v.trim())) return undefined;
  return Number(v);
}
