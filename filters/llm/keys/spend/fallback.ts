// on_exhaust.fallback_model: a request a budget cannot admit is served by the key's fallback model instead, rewritten
// where its client API names the model, and the answer says so (x-dgp-budget-fallback).
import { RequestModel, type RequestContext } from '../../../../core/index.js';
import { SpendStateKey, type SpendState } from './state.js';

/** `/v1beta/models/<model>:<method>`: before the model, the model, the rest. */
const GEMINI_MODEL_PATH = /^(.*\/models\/)([^/:]+)(:[A-Za-z]+)$/;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Serves the request with `model`: in the body where the client API names the model there (OpenAI, Anthropic), in
 * the path where it names it there (Gemini: /v1beta/models/<model>:generateContent). False when neither holds it.
 */
export async function switchModel(ctx: RequestContext, st: SpendState, model: string): Promise<boolean> {
  const body = await ctx.request.json<unknown>().catch(() => undefined);
  if (isObj(body) && typeof body.model === 'string') {
    ctx.request.setBody({ ...body, model });
  } else {
    const m = GEMINI_MODEL_PATH.exec(ctx.request.path);
    if (m === null || ctx.request.setPath === undefined) return false;
    ctx.request.setPath(`${m[1]}${encodeURIComponent(model)}${m[3]}`);
  }
  ctx.set(RequestModel, model);
  st.requestedModel = st.model;
  st.model = model;
  return true;
}

/** encode: a request served by on_exhaust.fallback_model says so: x-dgp-budget-fallback names the model that answered. */
export function fallbackHeader(ctx: RequestContext): void {
  const st = ctx.get(SpendStateKey);
  if (st?.requestedModel !== undefined && st.model !== undefined) ctx.response.headers['x-dgp-budget-fallback'] = st.model;
}
