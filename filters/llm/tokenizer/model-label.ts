// The `model` label of the tokenizer's metrics, from a bounded vocabulary: clients choose model strings freely, and every
// new string used to become new series in a dozen metrics (5,000 strings: /metrics 18 KB → 27 MB). A model keeps its
// name when the config names it (the cluster's model_map aliases and targets, options.model, the tokenizer's
// known_models); a model the price book knows is labelled by the book's own model id (`gpt-4o` for
// `gpt-4o-2024-08-06`, so date variants cannot mint labels either); any other model is `other`.
import type { ClusterManagerApi, EndpointView } from '../../../core/index.js';
import { createPriceBook, isPlainObject, type PriceBook } from '../../../core/llm/index.js';

export const OTHER_MODEL = 'other';
export const UNKNOWN_MODEL = 'unknown';

/** Labels resolved per (provider, model); bounded, since the keys are client strings. */
const MAX_CACHED = 4096;

/** The model names one cluster's endpoints configure. */
function configuredModels(endpoints: readonly EndpointView[]): ReadonlySet<string> {
  const names = new Set<string>();
  const add = (v: unknown): void => {
    if (typeof v === 'string' && v !== '' && v !== '*') names.add(v);
  };
  for (const ep of endpoints) {
    const llm = ep.llmMeta;
    if (isPlainObject(llm?.model_map)) {
      for (const [alias, target] of Object.entries(llm.model_map)) {
        add(alias);
        add(target);
      }
    }
    if (isPlainObject(llm?.options)) add(llm.options.model);
  }
  return names;
}

export class ModelLabels {
  readonly #clusters: Pick<ClusterManagerApi, 'endpoints' | 'getEndpoint'>;
  readonly #known: ReadonlySet<string>;
  readonly #book: Pick<PriceBook, 'modelKey'>;
  /** Per cluster snapshot: a registry change gives a new endpoints array, so the set is rebuilt then. */
  readonly #configured = new WeakMap<readonly EndpointView[], ReadonlySet<string>>();
  readonly #fromBook = new Map<string, string>();

  constructor(clusters: Pick<ClusterManagerApi, 'endpoints' | 'getEndpoint'>, known: readonly string[] = [], book: Pick<PriceBook, 'modelKey'> = createPriceBook()) {
    this.#clusters = clusters;
    this.#known = new Set(known);
    this.#book = book;
  }

  /**
   * The label for a request of `cluster` served by `endpoint`: the first of `models` (the answer's model, then the
   * requested one) that is configured or known to the price book (under `provider`, by default the endpoint's
   * llm_meta.provider); `other` when none is; `unknown` when the request named no model.
   */
  label(cluster: string, endpoint: string, provider: string | undefined, models: ReadonlyArray<string | undefined>): string {
    provider ??= this.#clusters.getEndpoint(cluster, endpoint)?.llmMeta?.provider;
    let named = false;
    for (const model of models) {
      if (model === undefined || model === '') continue;
      named = true;
      if (this.#known.has(model) || this.#configuredIn(cluster).has(model)) return model;
      const fromBook = this.#bookLabel(provider, model);
      if (fromBook !== '') return fromBook;
    }
    return named ? OTHER_MODEL : UNKNOWN_MODEL;
  }

  #configuredIn(cluster: string): ReadonlySet<string> {
    const endpoints = this.#clusters.endpoints(cluster);
    let set = this.#configured.get(endpoints);
    if (set === undefined) this.#configured.set(endpoints, (set = configuredModels(endpoints)));
    return set;
  }

  /** The book's model id (the key without its provider), or '' when the book does not know the model. */
  #bookLabel(provider: string | undefined, model: string): string {
    const id = `${provider ?? ''}\u0000${model}`;
    let label = this.#fromBook.get(id);
    if (label === undefined) {
      const key = this.#book.modelKey(provider, model) ?? this.#book.modelKey(undefined, model);
      label = key === undefined ? '' : key.slice(key.indexOf('/') + 1);
      if (this.#fromBook.size >= MAX_CACHED) this.#fromBook.clear();
      this.#fromBook.set(id, label);
    }
    return label;
  }
}
