// `GET /v1/models` answered by the gateway: the models the route's cluster can serve, from each endpoint's
// `llm_meta.model_map` aliases (not `*`) and `llm_meta.options.model`, in the OpenAI list shape, or Anthropic's when
// the client sends `anthropic-version`. A pure OpenAI-compatible cluster without model info is passed through.
import { type EndpointView, type RequestContext } from '../../../core/index.js';
import { clientApiOf, isPlainObject } from '../../../core/llm/index.js';
import type { ProviderCodecs } from './provider-codecs.js';

export interface RoutableModel {
  id: string;
  /** The `llm_meta.provider` label of the first endpoint that serves it (OpenAI's `owned_by`). */
  provider: string;
}

/** A model-list request this filter may answer: GET on an OpenAI-style `/models` path. */
export function isModelList(ctx: RequestContext): boolean {
  return ctx.request.method === 'GET' && clientApiOf(ctx) === 'openai' && ctx.request.path.endsWith('/models');
}

/** Every model the endpoints name, first occurrence first. */
export function routableModels(endpoints: readonly EndpointView[]): RoutableModel[] {
  const seen = new Map<string, RoutableModel>();
  for (const ep of endpoints) {
    const llm = ep.llmMeta;
    const provider = typeof llm?.provider === 'string' && llm.provider !== '' ? llm.provider : 'openai';
    const names = isPlainObject(llm?.model_map) ? Object.keys(llm.model_map).filter((k) => k !== '*' && k !== '') : [];
    const forced = isPlainObject(llm?.options) ? llm.options.model : undefined;
    if (typeof forced === 'string' && forced !== '') names.push(forced);
    for (const id of names) if (!seen.has(id)) seen.set(id, { id, provider });
  }
  return [...seen.values()];
}

/** The list body, or undefined when the request should go upstream (an OpenAI-compatible cluster without model info). */
export async function modelListBody(
  ctx: RequestContext,
  endpoints: readonly EndpointView[],
  codecs: ProviderCodecs,
  createdAt: number,
): Promise<object | undefined> {
  const models = routableModels(endpoints);
  if (models.length === 0 && (await allSpeakOpenAi(endpoints, codecs))) return undefined;
  if (ctx.request.headers['anthropic-version'] !== undefined) {
    const createdIso = new Date(createdAt * 1000).toISOString();
    return {
      data: models.map((m) => ({ type: 'model', id: m.id, display_name: m.id, created_at: createdIso })),
      has_more: false,
      first_id: models[0]?.id ?? null,
      last_id: models.at(-1)?.id ?? null,
    };
  }
  return { object: 'list', data: models.map((m) => ({ id: m.id, object: 'model', created: createdAt, owned_by: m.provider })) };
}

async function allSpeakOpenAi(endpoints: readonly EndpointView[], codecs: ProviderCodecs): Promise<boolean> {
  if (!codecs.available) return true;
  for (const ep of endpoints) {
    const codec = await codecs.get(codecs.kindOf(ep)).catch(() => undefined);
    if (codec !== undefined && codec.api !== 'openai') return false;
  }
  return true;
}
