// Runs a listener's filters: decode in config order until Stop (with the admission gate before the terminal filter),
// encode in reverse for the filters whose decode ran (the onion, Envoy's rule — Pixiu runs every encode, spec §1.3),
// chunk hooks in encode order, onComplete always.
// A hook that throws becomes a local reply (the DgpError's own status, else 500 DGP_ERR_HTTP_FILTER_FAILED with the
// stack logged) for this request only.
import type { HttpFilter, HookResult } from '../plugin-api.js';
import type { RequestContext } from '../request-api.js';
import { Stop } from '../plugin-api.js';
import { DgpError, isDgpError } from '../errors.js';

/** Which hook of which slot is running (or that the request waits for admission before that slot). */
export interface ChainProgress {
  index: number;
  hook: 'decode' | 'encode' | 'admission';
}

export interface ChainSlot {
  readonly kind: string;
  readonly filter: HttpFilter;
  /** The manifest says nothing may follow it (the proxy). */
  readonly terminal?: boolean;
}

/**
 * Admission before the terminal filter: true = go on; false (or a promise of it) = stop decoding, the request was
 * refused (ctx holds the reply) or its client went away.
 */
export type DecodeGate<C extends RequestContext> = (ctx: C) => boolean | Promise<boolean>;

export class FilterChain {
  readonly slots: readonly ChainSlot[];
  /** True when any filter transforms or observes streamed chunks (else the body is piped untouched). */
  readonly hasChunkHooks: boolean;
  /**
   * Where a request passes admission: right before the terminal filter, once the filters that identify the caller
   * (and may answer on their own) have run; before the first filter in a chain without a terminal one.
   */
  readonly gateAt: number;

  constructor(slots: readonly ChainSlot[]) {
    this.slots = slots;
    this.hasChunkHooks = slots.some((s) => s.filter.onChunk || s.filter.onStreamEnd);
    this.gateAt = Math.max(0, slots.findIndex((s) => s.terminal === true));
  }

  /**
   * Runs decode hooks, passing `gate` before slot `gateAt`; returns how many filters were entered (their
   * encode/onComplete hooks will run).
   */
  async decode<C extends RequestContext>(ctx: C, progress?: ChainProgress, gate?: DecodeGate<C>): Promise<number> {
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) {
      if (i === this.gateAt && gate !== undefined) {
        const admitted = gate(ctx);
        if (admitted !== true) {
          if (progress) {
            progress.index = i;
            progress.hook = 'admission';
          }
          if (admitted === false || !(await admitted) || ctx.aborted) return i;
          if (progress) progress.hook = 'decode';
        }
      }
      const slot = slots[i]!;
      if (!slot.filter.decode) continue;
      if (progress) progress.index = i;
      // Inline rather than through call(): a synchronous hook costs no promise and no microtask turn.
      let status: HookResult;
      try {
        const r = slot.filter.decode(ctx);
        status = isThenable(r) ? await r : (r as HookResult);
      } catch (err) {
        status = failHook(ctx, slot.kind, 'decode', err);
      }
      if (status === Stop || ctx.replied) return i + 1;
    }
    return slots.length;
  }

  /** Encode hooks in reverse; synchronous (undefined) until a hook returns a promise, then the rest is awaited. */
  encode(ctx: RequestContext, entered: number, progress?: ChainProgress): Promise<void> | undefined {
    for (let i = entered - 1; i >= 0; i--) {
      const slot = this.slots[i]!;
      if (!slot.filter.encode) continue;
      if (progress) {
        progress.index = i;
        progress.hook = 'encode';
      }
      let status: HookResult;
      try {
        const r = slot.filter.encode(ctx);
        if (isThenable(r)) return this.#encodeFrom(ctx, i, progress, r);
        status = r as HookResult;
      } catch (err) {
        status = failHook(ctx, slot.kind, 'encode', err);
      }
      if (status === Stop) return undefined;
    }
    return undefined;
  }

  /** The rest of encode once slot `at`'s hook returned `pending`. */
  async #encodeFrom(ctx: RequestContext, at: number, progress: ChainProgress | undefined, pending: Promise<HookResult>): Promise<void> {
    let status: HookResult;
    try {
      status = await pending;
    } catch (err) {
      status = failHook(ctx, this.slots[at]!.kind, 'encode', err);
    }
    if (status === Stop) return;
    const rest = this.encode(ctx, at, progress);
    if (rest !== undefined) await rest;
  }

  /** The entered filters with chunk hooks, in encode (reverse) order. */
  chunkSlots(entered: number): ChainSlot[] {
    const out: ChainSlot[] = [];
    for (let i = entered - 1; i >= 0; i--) {
      const s = this.slots[i]!;
      if (s.filter.onChunk || s.filter.onStreamEnd) out.push(s);
    }
    return out;
  }

  /**
   * onComplete for every entered filter, in reverse order; failures are logged and never affect the response.
   * Synchronous (undefined) until a hook returns a promise.
   */
  complete(ctx: RequestContext, entered: number): Promise<void> | undefined {
    for (let i = entered - 1; i >= 0; i--) {
      const slot = this.slots[i]!;
      if (!slot.filter.onComplete) continue;
      try {
        const r = slot.filter.onComplete(ctx);
        if (r !== undefined) return this.#completeFrom(ctx, i, r);
      } catch (err) {
        ctx.log.error({ err, kind: slot.kind }, 'onComplete hook failed');
      }
    }
    return undefined;
  }

  async #completeFrom(ctx: RequestContext, at: number, pending: unknown): Promise<void> {
    try {
      await pending;
    } catch (err) {
      ctx.log.error({ err, kind: this.slots[at]!.kind }, 'onComplete hook failed');
    }
    const rest = this.complete(ctx, at);
    if (rest !== undefined) await rest;
  }
}

function isThenable(r: unknown): r is Promise<HookResult> {
  return r !== undefined && r !== null && typeof (r as Promise<HookResult>).then === 'function';
}

/** Turns a hook failure into a local reply: expected DgpErrors keep their status; anything else is a logged 500. */
export function failHook(ctx: RequestContext, kind: string, hook: string, err: unknown): typeof Stop {
  if (isDgpError(err) && err.code !== 'DGP_ERR_INTERNAL') {
    if (err.status >= 500) ctx.log.error({ err, kind, hook }, `${kind} ${hook} failed`);
    return ctx.replyError(err);
  }
  ctx.log.error({ err, kind, hook }, `${kind} ${hook} threw`);
  return ctx.replyError(
    new DgpError('DGP_ERR_HTTP_FILTER_FAILED', `filter ${kind} failed in ${hook}; see the gateway log for request ${ctx.id}`, {
      cause: err,
    }),
  );
}
