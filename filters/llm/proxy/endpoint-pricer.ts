// The pricer behind the CostAware LB policy: the price book's price of a reference request (a million input and a
// million output tokens) of the model an endpoint would serve for this request — llm_meta.options.model, else the
// requested model through the endpoint's model_map — at the endpoint's llm_meta.provider (default openai).
import type { EndpointPricer, EndpointView, HashSource } from '../../../core/index.js';
import { geminiPathModel, isPlainObject, resolveModel } from '../../../core/llm/index.js';
import type { PriceOf } from './deployments.js';

/** The model the request names: the JSON body's `model`, or the Gemini path's. */
export function requestedModel(src: HashSource): string | undefined {
  if (isPlainObject(src.json) && typeof src.json.model === 'string' && src.json.model !== '') return src.json.model;
  const q = src.url.indexOf('?');
  return geminiPathModel(q < 0 ? src.url : src.url.slice(0, q));
}

/** The provider label and upstream model of an endpoint for a requested model. */
export function endpointModel(ep: Pick<EndpointView, 'llmMeta'>, requested: string | undefined): { provider: string; model: string | undefined } {
  const llm = ep.llmMeta;
  const provider = typeof llm?.provider === 'string' && llm.provider !== '' ? llm.provider : 'openai';
  const forced = isPlainObject(llm?.options) && typeof llm.options.model === 'string' && llm.options.model !== '' ? llm.options.model : undefined;
  return { provider, model: forced ?? (requested === undefined ? undefined : resolveModel(llm?.model_map, requested)) };
}

export function endpointPricer(price: PriceOf): EndpointPricer {
  return (ep, src) => {
    const { provider, model } = endpointModel(ep, requestedModel(src));
    return model === undefined ? undefined : price(provider, model);
  };
}
