// What the keys filter reads from the request besides the key: the model (OpenAI and Anthropic bodies, the Gemini
// path) and the end user (OpenAI `user`, Anthropic `metadata.user_id`, else a header).
import type { RequestContext } from '../../../core/index.js';
import { clientApiOf } from '../../../core/llm/index.js';

export interface RequestFacts {
  model: string | undefined;
  endUser: string | undefined;
  /** The parsed JSON body, when it was read (`value` undefined: it is not JSON); absent: not read (not a JSON request). */
  body?: { value: unknown };
}

const GEMINI_MODEL = /\/models\/([^/:]+):/;
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function hasJsonBody(ctx: RequestContext): boolean {
  const m = ctx.request.method;
  if (m !== 'POST' && m !== 'PUT') return false;
  const ct = ctx.request.headers['content-type'];
  return ct === undefined || ct.toLowerCase().includes('json');
}

function factsOf(ctx: RequestContext, body: unknown, endUserHeader: string, read: boolean): RequestFacts {
  const api = clientApiOf(ctx);
  const gemini = api === 'gemini' ? GEMINI_MODEL.exec(ctx.request.path) : null;
  const model = gemini ? decodeURIComponent(gemini[1]!) : isObj(body) ? str(body.model) : undefined;
  const fromBody = isObj(body) ? (str(body.user) ?? (isObj(body.metadata) ? str(body.metadata.user_id) : undefined)) : undefined;
  const h = ctx.request.headers[endUserHeader];
  const endUser = fromBody ?? str(Array.isArray(h) ? h[0] : h);
  return read ? { model, endUser, body: { value: body } } : { model, endUser };
}

/**
 * Hands the facts to `next`: synchronously without a JSON body or once it is parsed, else when the body is (one
 * promise, not a promise of the facts and another of `next`'s answer). A body that is not JSON is left for the
 * proxy to judge.
 */
export function withRequestFacts<T>(ctx: RequestContext, endUserHeader: string, next: (facts: RequestFacts) => T | Promise<T>): T | Promise<T> {
  if (!hasJsonBody(ctx)) return next(factsOf(ctx, undefined, endUserHeader, false));
  const parsed = ctx.request.jsonIfParsed?.();
  if (parsed !== undefined) return next(factsOf(ctx, parsed.value, endUserHeader, true));
  return ctx.request.json<unknown>().then(
    (body) => next(factsOf(ctx, body, endUserHeader, true)),
    () => next(factsOf(ctx, undefined, endUserHeader, true)),
  );
}
