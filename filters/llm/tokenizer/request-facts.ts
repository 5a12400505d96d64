// What the tokenizer learns from the request in decode: the model, whether a stream was asked for, and — for OpenAI-
// style streams without `stream_options.include_usage` — the rewrite that makes the upstream report usage.
import type { RequestContext } from '../../../core/index.js';
import { clientApiOf } from '../../../core/llm/index.js';
import { isObj } from './usage.js';

export interface RequestFacts {
  model: string | undefined;
  stream: boolean;
  /** The client's JSON body as it sent it (before any rewrite); undefined for non-JSON bodies. */
  body: Record<string, unknown> | undefined;
  /** include_usage was added for this request: the usage chunk and `usage: null` fields are stripped from the reply. */
  injected: boolean;
}

/** `/v1beta/models/gemini-2.0-flash:streamGenerateContent` → model and method. */
const GEMINI_PATH = /\/models\/([^/:]+):([A-Za-z]+)/;

/**
 * The request's facts, handed to `use`: synchronous for a request without a JSON body or whose body an earlier filter already parsed
 * (e.g. the rate limiter), else once the (shared, cached) JSON parse is in — a promise of its own only then, without
 * async-function layers.
 */
export function readRequestFacts(ctx: RequestContext, inject: boolean, use: (facts: RequestFacts) => void): void | Promise<void> {
  if (!hasJsonBody(ctx)) return use(factsOf(ctx, undefined, inject));
  const parsed = ctx.request.jsonIfParsed?.();
  if (parsed !== undefined) return use(factsOf(ctx, isObj(parsed.value) ? parsed.value : undefined, inject));
  // One reaction on the shared parse, not a chain of them.
  return ctx.request.json<unknown>().then(
    (v) => use(factsOf(ctx, isObj(v) ? v : undefined, inject)),
    (err: unknown) => {
      // A body that is not JSON is not ours to reject: the proxy forwards it and the upstream answers.
      ctx.log.debug({ err }, 'tokenizer: request body is not JSON; usage will come from the response only');
      use(factsOf(ctx, undefined, inject));
    },
  );
}

function factsOf(ctx: RequestContext, body: Record<string, unknown> | undefined, inject: boolean): RequestFacts {
  // A Gemini path names the model and the method; the regex runs only for paths that can be one.
  const gemini = ctx.request.path.includes(':') ? GEMINI_PATH.exec(ctx.request.path) : null;
  const model = typeof body?.model === 'string' ? body.model : gemini ? decodeURIComponent(gemini[1]!) : undefined;
  const stream = body?.stream === true || gemini?.[2] === 'streamGenerateContent';
  const facts: RequestFacts = { model, stream, body, injected: false };
  if (inject && body && wantsInjection(ctx, body)) {
    const streamOptions = isObj(body.stream_options) ? body.stream_options : {};
    ctx.request.setBody({ ...body, stream_options: { ...streamOptions, include_usage: true } });
    // Stripping rewrites the event stream, which needs it uncompressed; SSE is rarely compressed anyway.
    ctx.request.headers['accept-encoding'] = 'identity';
    facts.injected = true;
  }
  return facts;
}

/**
 * OpenAI chat and legacy completions take `stream_options` (the Responses API, Anthropic and Gemini report usage by
 * themselves). A client that already asked for usage gets it untouched.
 */
function wantsInjection(ctx: RequestContext, body: Record<string, unknown>): boolean {
  const api = clientApiOf(ctx);
  if (api !== 'openai' && api !== 'unknown') return false;
  if (body.stream !== true) return false;
  if (!Array.isArray(body.messages) && body.prompt === undefined) return false;
  if (api === 'unknown' && (body.system !== undefined || body.anthropic_version !== undefined)) return false;
  return !(isObj(body.stream_options) && body.stream_options.include_usage === true);
}

/** A POST / PUT whose body may be JSON. */
function hasJsonBody(ctx: RequestContext): boolean {
  if (ctx.request.method !== 'POST' && ctx.request.method !== 'PUT') return false;
  const ct = ctx.request.headers['content-type'];
  return ct === undefined || ct.toLowerCase().includes('json');
}

