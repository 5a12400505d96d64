// Local error replies (Envoy's onLocalReply): the listener's renderers (filters' renderLocalReply, asked in config
// order) render an error in the client's own shape; without one, or with `error_format: pixiu`, the host renders
// Pixiu's {status,message,error}. The DGP_ERR_* code and the request id always travel inside the body.
import type { Logger } from 'pino';
import type { ErrorFormat, HttpFilter, LocalReply, LocalReplyRequest } from '../plugin-api.js';
import type { DgpError } from '../errors.js';

/** Pixiu's fixed messages by status (erroresponse.go). */
const PIXIU_MESSAGES: Record<number, string> = {
  400: 'Bad request',
  404: 'Route not found',
  408: 'Request timeout',
  413: 'Payload too large',
  431: 'Request header fields too large',
  500: 'Internal server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway timeout',
};

/** Pixiu's error body, with our code and request id added (Pixiu's clients read status, message and error). */
export function pixiuErrorBody(err: DgpError, requestId: string): object {
  const message = err.hint ? `${err.message} (${err.hint})` : err.message;
  return { status: err.status, message: PIXIU_MESSAGES[err.status] ?? 'Error', error: message, code: err.code, request_id: requestId };
}

/** A local reply ready to write: status, lower-case headers (content-type set) and the body bytes. */
export interface RenderedReply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

type Renderer = Required<Pick<HttpFilter, 'renderLocalReply'>> & { kind: string };
type StreamRenderer = Required<Pick<HttpFilter, 'renderStreamError'>> & { kind: string };

export class LocalReplies {
  readonly #renderers: readonly Renderer[];
  readonly #streamRenderers: readonly StreamRenderer[];

  constructor(
    slots: ReadonlyArray<{ readonly kind: string; readonly filter: HttpFilter }>,
    private readonly format: ErrorFormat,
    private readonly log: Logger,
  ) {
    const renderers: Renderer[] = [];
    const streamRenderers: StreamRenderer[] = [];
    for (const s of slots) {
      const f = s.filter;
      if (typeof f.renderLocalReply === 'function') renderers.push({ kind: s.kind, renderLocalReply: f.renderLocalReply.bind(f) });
      if (typeof f.renderStreamError === 'function') streamRenderers.push({ kind: s.kind, renderStreamError: f.renderStreamError.bind(f) });
    }
    this.#renderers = format === 'pixiu' ? [] : renderers;
    this.#streamRenderers = format === 'pixiu' ? [] : streamRenderers;
  }

  /** The frame that ends a cut stream in the client's API (an SSE error event), or undefined: the stream is only cut. */
  renderStreamError(req: LocalReplyRequest, err: DgpError): Buffer | undefined {
    for (const r of this.#streamRenderers) {
      let frame: Buffer | string | undefined;
      try {
        frame = r.renderStreamError(req, err, this.format);
      } catch (cause) {
        this.log.error({ err: cause, kind: r.kind, reqId: req.id }, 'renderStreamError threw; the next renderer answers');
        frame = undefined;
      }
      if (frame !== undefined) return Buffer.isBuffer(frame) ? frame : Buffer.from(frame);
    }
    return undefined;
  }

  render(req: LocalReplyRequest, err: DgpError): RenderedReply {
    let reply: LocalReply | undefined;
    for (const r of this.#renderers) {
      try {
        reply = r.renderLocalReply(req, err, this.format);
      } catch (cause) {
        this.log.error({ err: cause, kind: r.kind, reqId: req.id }, 'renderLocalReply threw; the next renderer answers');
        reply = undefined;
      }
      if (reply !== undefined) break;
    }
    reply ??= { body: pixiuErrorBody(err, req.id) };
    const headers: Record<string, string> = {};
    const retryAfter = err.details?.['retry_after'];
    if (typeof retryAfter === 'string' || typeof retryAfter === 'number') headers['retry-after'] = String(retryAfter);
    for (const [k, v] of Object.entries(reply.headers ?? {})) headers[k.toLowerCase()] = v;
    const b = reply.body;
    let body: Buffer;
    if (Buffer.isBuffer(b)) body = b;
    else if (typeof b === 'string') body = Buffer.from(b);
    else {
      body = Buffer.from(JSON.stringify(b));
      headers['content-type'] ??= 'application/json';
    }
    return { status: reply.status ?? err.status, headers, body };
  }
}
