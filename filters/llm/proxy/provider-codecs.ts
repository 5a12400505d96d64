// The provider codecs one proxy instance uses: the host creates every `dgp.adapter.provider.<name>` plugin once per
// generation from validated config and hands them over in the factory context; they are checked here, when the filter
// is created, so a provider that is not a codec fails the load, never a request. An endpoint's `llm_meta.provider`
// label picks its codec; labels no plugin serves fall back to the openai codec (Pixiu treats the provider as a label)
// and are warned about once.
import type { ClusterManagerApi, EndpointView, FactoryContext } from '../../../core/index.js';
import { ProviderCodecMissing, isPlainObject, resolveProviderKind, type ProviderCodec } from '../../../core/llm/index.js';

export const OPENAI_KIND = 'dgp.adapter.provider.openai';

function asCodec(kind: string, codec: unknown): ProviderCodec {
  if (!isPlainObject(codec) || typeof codec.name !== 'string' || typeof codec.api !== 'string' || !isPlainObject(codec.upstream)) {
    throw ProviderCodecMissing(`${kind}: create() did not return a provider codec ({ name, api, settings, upstream, client? }).`, {
      hint: 'see docs/providers.md#writing-a-provider',
    });
  }
  return codec as unknown as ProviderCodec;
}

export class ProviderCodecs {
  readonly #log: FactoryContext['log'];
  readonly #codecs = new Map<string, ProviderCodec>();
  /** Plugin kind per provider label (bounded: labels come from config and registries). */
  readonly #kinds = new Map<string, string>();
  readonly #warned = new Set<string>();

  /** Throws DGP_ERR_PROVIDER_CODEC (the filter's create fails) for a provider plugin that returned no codec. */
  constructor(fctx: Pick<FactoryContext, 'log' | 'providers'>) {
    this.#log = fctx.log;
    for (const [kind, instance] of fctx.providers) this.#codecs.set(kind, asCodec(kind, instance));
  }

  /** True when the host loaded provider plugins at all (a bare test context has none: Pixiu's pass-through only). */
  get available(): boolean {
    return this.#codecs.has(OPENAI_KIND);
  }

  /** The plugin kind serving an endpoint; warns once per unknown label. */
  kindOf(ep: Pick<EndpointView, 'id' | 'llmMeta'>): string {
    const provider = ep.llmMeta?.provider;
    const cached = this.#kinds.get(String(provider));
    if (cached !== undefined) return cached;
    const { kind, known } = resolveProviderKind(provider, (k) => this.#codecs.has(k));
    if (!known && this.available && !this.#warned.has(String(provider))) {
      this.#warned.add(String(provider));
      this.#log.warn(
        { provider, endpoint: ep.id, kind },
        `llm_meta.provider "${String(provider)}" is not a loaded provider plugin nor a known OpenAI-compatible label; it is served by the openai codec (pass-through)`,
      );
    }
    if (this.#kinds.size >= 1024) this.#kinds.clear();
    this.#kinds.set(String(provider), kind);
    return kind;
  }

  /** Warns about every unknown provider label among the clusters' current endpoints (static config, at create). */
  checkLabels(clusters: ClusterManagerApi): void {
    if (!this.available) return;
    for (const name of clusters.clusterNames()) for (const ep of clusters.endpoints(name)) this.kindOf(ep);
  }

  /** The codec of a kind, or undefined when no such plugin is loaded. */
  get(kind: string): Promise<ProviderCodec | undefined> {
    return Promise.resolve(this.#codecs.get(kind));
  }

  /** The codec of a kind; undefined when no such plugin is loaded. */
  ready(kind: string): ProviderCodec | undefined {
    return this.#codecs.get(kind);
  }
}
