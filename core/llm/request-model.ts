// The model a request asks for, wherever its API carries it: the JSON body's `model` (OpenAI, Anthropic) or the path
// (Gemini `/models/{model}:generateContent`). One reader for model routing and anything else that needs the name.
import type { RequestContext, RequestInfo } from '../index.js';
import { clientRouteOf, detectClientApi, type ClientRoute } from './client-api.js';

const GEMINI_MODEL = /\/models\/([^/:]+):[A-Za-z]+$/;

/** The model named in a Gemini path, decoded; undefined for other paths or a malformed escape. */
export function geminiPathModel(path: string): string | undefined {
  const m = GEMINI_MODEL.exec(path);
  if (m === null) return undefined;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return undefined;
  }
}

/**
 * The requested model, or undefined when the request names none (a GET, a body without `model`, a body that is not
 * JSON: the proxy judges those later). Reads the body only for OpenAI / Anthropic operations, through the host's one
 * shared JSON parse.
 */
export function requestModelOf(ctx: Pick<RequestContext, 'get' | 'set' | 'request'>): Promise<string | undefined> {
  return modelOf(clientRouteOf(ctx), ctx.request);
}

/** requestModelOf for a request not routed yet (a routeModel hook: there is no context to cache the client route on). */
export function requestModelOfRequest(request: RequestInfo): Promise<string | undefined> {
  return modelOf(detectClientApi(request.path), request);
}

async function modelOf(route: ClientRoute, request: RequestInfo): Promise<string | undefined> {
  if (route.api === 'gemini') return geminiPathModel(request.path);
  const method = request.method;
  if (route.api === 'unknown' || (method !== 'POST' && method !== 'PUT')) return undefined;
  const ct = request.headers['content-type'];
  if (typeof ct === 'string' && !ct.toLowerCase().includes('json')) return undefined;
  try {
    const body = await request.json<unknown>();
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
    const model = (body as Record<string, unknown>).model;
    return typeof model === 'string' && model !== '' ? model : undefined;
  } catch {
    return undefined;
  }
}
