// `GET /v1/models` and `GET /v1/models/{id}` answered by the gateway: the proxy's model_list names and aliases, then
// the models the route's cluster can serve (each endpoint's `llm_meta.model_map` aliases, not `*`, and
// `llm_meta.options.model`), in the OpenAI shape, or Anthropic's when the client sends `anthropic-version`. A pure
// OpenAI-compatible cluster without model info is passed through.
import { type ClusterManagerApi, type EndpointView, type RequestContext } from '../../../core/index.js';
import { PrincipalAttr, clientApiOf, isPlainObject } from '../../../core/llm/index.js';
import { ModelNotFound } from './errors.js';
import type { ModelGroups } from './model-groups.js';
import type { ProviderCodecs } from './provider-codecs.js';

export interface RoutableModel {
  id: string;
  /** The `llm_meta.provider` label of the first endpoint that serves it (OpenAI's `owned_by`). */
  provider: string;
}

const MODEL_GET = /\/models\/([^/]+)$/;

/** A models request this filter may answer: GET on an OpenAI-style `/models` (list) or `/models/{id}` (one). */
export function modelsRequest(ctx: RequestContext): { id: string | undefined } | undefined {
  if (ctx.request.method !== 'GET' || clientApiOf(ctx) !== 'openai') return undefined;
  const path = ctx.request.path;
  if (path.endsWith('/models')) return { id: undefined };
  const m = MODEL_GET.exec(path);
  if (m === null) return undefined;
  try {
    return { id: decodeURIComponent(m[1]!) };
  } catch {
    return { id: m[1]! };
  }
}

/** The model_list's listed names (owned by the provider of the group's first deployment endpoint), then the cluster's. */
export function listedModels(groups: ModelGroups, endpoints: readonly EndpointView[], providerOf: (cluster: string | undefined, id: string | undefined) => string | undefined): RoutableModel[] {
  const out = new Map<string, RoutableModel>();
  for (const { id, group } of groups.listedNames()) {
    const d = group.deployments[0];
    out.set(id, { id, provider: providerOf(d?.cluster, d?.endpoint) ?? 'dgp' });
  }
  for (const m of routableModels(endpoints)) if (!out.has(m.id)) out.set(m.id, m);
  return [...out.values()];
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
  models: readonly RoutableModel[],
  endpoints: readonly EndpointView[],
  codecs: ProviderCodecs,
  createdAt: number,
  id: string | undefined,
): Promise<object | undefined> {
  if (models.length === 0 && (await allSpeakOpenAi(endpoints, codecs))) return undefined;
  const anthropic = ctx.request.headers['anthropic-version'] !== undefined;
  if (id !== undefined) {
    const m = models.find((x) => x.id === id);
    if (m === undefined) {
      throw ModelNotFound(`The model '${id}' does not exist on this route`, { details: { openai_type: 'invalid_request_error', openai_code: 'model_not_found' } });
    }
    return anthropic
      ? { type: 'model', id: m.id, display_name: m.id, created_at: new Date(createdAt * 1000).toISOString() }
      : { id: m.id, object: 'model', created: createdAt, owned_by: m.provider };
  }
  if (anthropic) {
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

/** The answer to GET /v1/models[/{id}] on this route: a body, undefined (ask the upstream), or a thrown 404. */
export function modelsAnswer(ctx: RequestContext, id: string | undefined, clusters: ClusterManagerApi, groups: ModelGroups, codecs: ProviderCodecs, createdAt: number): Promise<object | undefined> {
  const route = ctx.route.cluster;
  const endpoints = clusters.hasCluster(route) ? clusters.endpoints(route) : [];
  const providerOf = (c: string | undefined, epId: string | undefined): string | undefined => {
    const list = clusters.endpoints(c ?? route);
    const ep = epId === undefined ? list[0] : list.find((e) => e.id === epId);
    const p = ep?.llmMeta?.provider;
    return typeof p === 'string' && p !== '' ? p : undefined;
  };
  return modelListBody(ctx, allowedFor(ctx, listedModels(groups, endpoints, providerOf)), endpoints, codecs, createdAt, id);
}

/** Only the models the caller's key or token allows (dgp.filter.llm.keys' principal: exact names and `*` globs). */
function allowedFor(ctx: RequestContext, models: RoutableModel[]): RoutableModel[] {
  const allowed = ctx.get(PrincipalAttr)?.models;
  if (allowed === undefined || allowed.length === 0 || allowed.includes('*')) return models;
  const exact = new Set(allowed.filter((m) => !m.includes('*')));
  const globs = allowed.filter((m) => m.includes('*')).map((g) => new RegExp(`^${g.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's'));
  return models.filter((m) => exact.has(m.id) || globs.some((re) => re.test(m.id)));
}

async function allSpeakOpenAi(endpoints: readonly EndpointView[], codecs: ProviderCodecs): Promise<boolean> {
  if (!codecs.available) return true;
  for (const ep of endpoints) {
    const codec = await codecs.get(codecs.kindOf(ep)).catch(() => undefined);
    if (codec !== undefined && codec.api !== 'openai') return false;
  }
  return true;
}
