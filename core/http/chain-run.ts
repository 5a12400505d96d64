// One request through its filter chain: decode and encode within the connection manager timeout (a 504 in the
// client's shape when a hook overruns it), the response written (chunk hooks on streamed bodies, the audit capture),
// then onComplete for every entered filter and the request's end recorded (request-end.ts), whatever happened.
import type { ServerResponse } from 'node:http';
import type { ChainProgress, DecodeGate, FilterChain } from '../chain/chain.js';
import { TIMED_OUT, within } from '../deadline.js';
import { DgpError } from '../errors.js';
import type { Context } from './context.js';
import type { HcmOptions } from './hcm.js';
import type { LocalReplies } from './local-reply.js';
import type { RequestEnds } from './request-end.js';
import { writeResponse, type WriteResult } from './respond.js';

const NO_SLOTS: readonly never[] = [];

export class ChainRunner {
  private readonly gate: DecodeGate<Context> | undefined;

  constructor(
    private readonly o: Pick<HcmOptions, 'timeout' | 'audit' | 'draining' | 'writeIdleMs' | 'admission' | 'release'>,
    private readonly replies: LocalReplies,
    private readonly ends: RequestEnds,
  ) {
    const admission = o.admission;
    this.gate = admission && ((ctx) => admission.enter(ctx));
  }

  async run(ctx: Context, res: ServerResponse, chain: FilterChain): Promise<void> {
    const progress: ChainProgress = { index: -1, hook: 'decode' };
    let entered = 0;
    let result: WriteResult = { bytes: 0 };
    let status: number | undefined;
    try {
      if (this.o.timeout > 0) {
        const head = (async () => {
          entered = await chain.decode(ctx, progress, this.gate);
          this.noResponse(ctx);
          await chain.encode(ctx, entered, progress);
        })();
        // The timeout bounds the time to the response head only (decode and encode); a stream already flowing is
        // bounded by the proxy's idle timeout and the listener's slow-reader timer, never cut by this one.
        if ((await within(head, this.o.timeout)) === TIMED_OUT) {
          entered = Math.max(entered, progress.hook === 'admission' ? progress.index : progress.index + 1);
          status = this.timedOut(ctx, res, chain, progress, head);
          return;
        }
      } else {
        // No timeout: no wrapper around the head, whose every async layer cost a promise and microtask turns.
        entered = await chain.decode(ctx, progress, this.gate);
        this.noResponse(ctx);
        const encoding = chain.encode(ctx, entered, progress);
        if (encoding !== undefined) await encoding;
      }
      const body = ctx.response.body;
      if (body === undefined || Buffer.isBuffer(body)) {
        // A unary answer: written in one end(), no chunk hooks, nothing to capture.
        const written = writeResponse(ctx, res, NO_SLOTS, this.o.draining());
        result = written instanceof Promise ? await written : written;
      } else {
        const streamed = chain.hasChunkHooks;
        const renderStreamError = (err: DgpError): Buffer | undefined => this.replies.renderStreamError(ctx, err);
        const capture = this.o.audit?.streamCapture(ctx);
        result = await writeResponse(ctx, res, streamed ? chain.chunkSlots(entered) : NO_SLOTS, this.o.draining(), { renderStreamError, writeIdleMs: this.o.writeIdleMs, capture });
      }
      if (result.error) ctx.log.warn({ err: result.error }, 'response stream failed after headers were sent; connection closed');
    } catch (err) {
      ctx.log.error({ err }, 'request handling failed');
      if (!res.headersSent && !res.destroyed) {
        const r = this.replies.render(ctx, new DgpError('DGP_ERR_INTERNAL', 'internal error'));
        res.writeHead(r.status, { ...r.headers, 'content-length': r.body.length, 'x-request-id': ctx.id });
        res.end(r.body);
      } else res.destroy();
    } finally {
      this.o.admission?.leave(ctx);
      try {
        const completing = chain.complete(ctx, entered);
        if (completing !== undefined) await completing;
        this.ends.finish(ctx, result, status);
      } finally {
        this.o.release();
      }
    }
  }

  /** Decode ended without an answer from any filter (and the client is still there): a coded 502 in its shape. */
  private noResponse(ctx: Context): void {
    if (!ctx.replied && ctx.response.status === 0 && !ctx.aborted) {
      ctx.replyError(new DgpError('DGP_ERR_HTTP_NO_RESPONSE', 'no filter produced a response', { hint: 'add dgp.filter.llm.proxy to http_filters' }));
    }
  }

  /**
   * The chain overran the connection manager timeout: answer 504 in the client's shape now, abort the request (the
   * proxy cancels its upstream through ctx.signal), and drop whatever the stuck hook produces if it ever settles.
   */
  private timedOut(ctx: Context, res: ServerResponse, chain: FilterChain, progress: ChainProgress, late: Promise<void>): number {
    const kind = chain.slots[progress.index]?.kind ?? '-';
    const timeoutMs = this.o.timeout;
    const where = progress.hook === 'admission' ? 'the request was still waiting in the admission queue' : `filter ${kind} was still in ${progress.hook}`;
    const err = new DgpError('DGP_ERR_HTTP_DECODE_TIMEOUT', `no response within the connection manager timeout of ${timeoutMs} ms (${where}); see the gateway log for request ${ctx.id}`, {
      hint: 'retry later; the operator can raise the timeout or fix the filter',
    });
    ctx.log.error({ code: err.code, kind, hook: progress.hook, timeoutMs }, `${kind} ${progress.hook} did not finish within the connection manager timeout; answered 504`);
    const clientGone = ctx.aborted || res.destroyed;
    if (!clientGone && !res.headersSent) {
      const r = this.replies.render(ctx, err);
      res.writeHead(r.status, { ...r.headers, 'content-length': r.body.length, 'x-request-id': ctx.id, ...(this.o.draining() ? { connection: 'close' } : {}) });
      res.end(r.body);
    }
    ctx.errorCode = err.code;
    ctx.abort(err);
    late.then(() => writeResponse(ctx, res, NO_SLOTS, false), () => undefined).catch(() => undefined);
    return clientGone ? 499 : 504;
  }
}
