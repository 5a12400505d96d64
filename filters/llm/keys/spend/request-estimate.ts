// A request's worst-case cost before the upstream call: the prompt bounded by its body bytes (a token is at least one
// byte in every byte-level tokenizer, and the JSON around the text outweighs the few tokens of chat framing), plus
// the output it may get (max_tokens, else the output reserve, per choice, capped by the model), priced for every
// endpoint the route's cluster may pick, the dearest one held. Images sent by URL are the one input this does not
// bound (their tokens are not in the bytes).
import type { ClusterManagerApi, EndpointView, RequestContext } from '../../../../core/index.js';
import { clientRouteOf, isEmbedding, resolveModel, type ModelLimits, type PriceBook } from '../../../../core/llm/index.js';
import { worstCasePrice } from '../budget/estimate.js';
import type { Estimate } from './state.js';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const count = (v: unknown): number | undefined => (Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : undefined);

/** The `llm_meta.provider` label the price book knows the endpoint by (no label: the OpenAI codec serves it). */
export const priceProviderOf = (ep: Pick<EndpointView, 'llmMeta'> | undefined): string => {
  const p = ep?.llmMeta?.provider?.trim();
  return p === undefined || p === '' ? 'openai' : p;
};

/** The model an endpoint is sent for `model`: `llm_meta.options.model` forces one, else `model_map`. */
export function upstreamModelOf(ep: EndpointView, model: string): string {
  const options = ep.llmMeta?.options;
  const forced = isObj(options) && typeof options.model === 'string' && options.model !== '' ? options.model : undefined;
  return forced ?? resolveModel(ep.llmMeta?.model_map, model);
}

/** OpenAI max_tokens / max_completion_tokens, Responses max_output_tokens, Anthropic max_tokens, Gemini generationConfig. */
function outputAsk(body: unknown): { maxTokens: number | undefined; choices: number } {
  if (!isObj(body)) return { maxTokens: undefined, choices: 1 };
  const gen = isObj(body.generationConfig) ? body.generationConfig : {};
  const maxTokens = count(body.max_completion_tokens) ?? count(body.max_tokens) ?? count(body.max_output_tokens) ?? count(gen.maxOutputTokens);
  const choices = count(body.n) ?? count(gen.candidateCount) ?? 1;
  return { maxTokens, choices: Math.max(1, choices) };
}

export interface EstimateDeps {
  book: PriceBook;
  clusters: ClusterManagerApi;
  outputReserveTokens: number;
}

const NO_ESTIMATE: Estimate = Object.freeze({ nanos: 0, known: false });

interface PricedTarget {
  readonly provider: string;
  readonly upstream: string;
  /** The price book's limits of the upstream model (the book is the generation's: the memo is per EstimateDeps). */
  readonly limits: ModelLimits;
}

/**
 * The distinct (provider, upstream model) pairs a cluster may send `model` to, by cluster, then model (two lookups
 * by strings already hashed, rather than one by a key string built per request).
 */
const targetMemo = new WeakMap<EstimateDeps, Map<string, Map<string, { endpoints: readonly EndpointView[]; targets: PricedTarget[] }>>>();
/** Distinct models remembered per cluster; clients name models, so it is bounded. */
const TARGET_MEMO_SIZE = 1024;

function pricedTargets(deps: EstimateDeps, cluster: string, model: string): readonly PricedTarget[] {
  const endpoints = deps.clusters.endpoints(cluster);
  let byCluster = targetMemo.get(deps);
  if (byCluster === undefined) targetMemo.set(deps, (byCluster = new Map()));
  let memo = byCluster.get(cluster);
  if (memo === undefined) byCluster.set(cluster, (memo = new Map()));
  const hit = memo.get(model);
  // A changed endpoint list (discovery, reload) is a new array: the pairs are worked out again.
  if (hit !== undefined && hit.endpoints === endpoints) return hit.targets;
  const targets: PricedTarget[] = [];
  const seen = new Set<string>();
  for (const ep of endpoints) {
    const provider = priceProviderOf(ep);
    const upstream = upstreamModelOf(ep, model);
    const key = `${provider}\u0000${upstream}`;
    if (seen.has(key)) continue;
    seen.add(key);
    targets.push({ provider, upstream, limits: deps.book.limits(provider, upstream) });
  }
  if (memo.size >= TARGET_MEMO_SIZE) memo.clear();
  memo.set(model, { endpoints, targets });
  return targets;
}

/** The estimate from the request's body: its size in bytes and its parsed JSON (undefined when it is not JSON). */
export function estimateFromBody(ctx: RequestContext, deps: EstimateDeps, model: string | undefined, bytes: number, body: unknown): Estimate {
  if (model === undefined) return NO_ESTIMATE;
  const ask = outputAsk(body);
  // Embeddings produce no output tokens.
  const { maxTokens, choices } = isEmbedding(clientRouteOf(ctx).operation) ? { maxTokens: 0, choices: 1 } : ask;
  const input = { promptTokens: bytes, maxTokens: maxTokens ?? null, outputReserveTokens: deps.outputReserveTokens, choices };
  let best: Estimate = NO_ESTIMATE;
  for (const { provider, upstream, limits } of pricedTargets(deps, ctx.route.cluster, model)) {
    const e = worstCasePrice(deps.book, provider, upstream, input, limits);
    // The price itself serves as the estimate (nanos, known: true): one object fewer per request.
    if (e.known && (!best.known || e.nanos > best.nanos)) best = e;
  }
  return best;
}

export async function estimateRequest(ctx: RequestContext, deps: EstimateDeps, model: string | undefined): Promise<Estimate> {
  if (model === undefined) return NO_ESTIMATE;
  const bytes = await ctx.request.body();
  const body = bytes.length === 0 ? undefined : await ctx.request.json<unknown>().catch(() => undefined);
  return estimateFromBody(ctx, deps, model, bytes.length, body);
}
