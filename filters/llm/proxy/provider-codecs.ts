// The provider codecs one proxy instance uses (issue 6): each `dgp.adapter.provider.<name>` plugin is created once per
// generation, on first use, and cached by kind. An endpoint's `llm_meta.provider` label picks its codec; labels no
// plugin serves fall back to the openai codec (Pixiu treats the provider as a label) and are warned about once.
import { DgpError, type ClusterManagerApi, type EndpointView, type FactoryContext } from '../../../core/index.js';
import { isPlainObject, resolveProviderKind, type ProviderCodec } from '../../../core/llm/index.js';

export const OPENAI_KIND = 'dgp.adapter.provider.openai';

export class ProviderCodecs {
  readonly #fctx: FactoryContext;
  readonly #cache = new Map<string, Promise<ProviderCodec | undefined>>();
  /** Codecs whose creation finished: read without an await on every request (issue 8). */
  readonly #ready = new Map<string, ProviderCodec>();
  /** Plugin kind per provider label (bounded: labels come from config and registries). */
  readonly #kinds = new Map<string, string>();
  readonly #warned = new Set<string>();
  #available: boolean | undefined;

  constructor(fctx: FactoryContext) {
    this.#fctx = fctx;
  }

  /** True when the host loaded provider plugins at all (a bare test context has none: Pixiu's pass-through only). */
  get available(): boolean {
    return (this.#available ??= this.#fctx.plugin(OPENAI_KIND) !== undefined);
  }

  /** The plugin kind serving an endpoint; warns once per unknown label. */
  kindOf(ep: Pick<EndpointView, 'id' | 'llmMeta'>): string {
    const provider = ep.llmMeta?.provider;
    const cached = this.#kinds.get(String(provider));
    if (cached !== undefined) return cached;
    const { kind, known } = resolveProviderKind(provider, (k) => this.#fctx.plugin(k) !== undefined);
    if (!known && this.available && !this.#warned.has(String(provider))) {
      this.#warned.add(String(provider));
      this.#fctx.log.warn(
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
    let codec = this.#cache.get(kind);
    if (codec === undefined) {
      codec = this.#create(kind);
      this.#cache.set(kind, codec);
      codec.then((c) => c && this.#ready.set(kind, c), () => undefined);
    }
    return codec;
  }

  /** The codec of a kind once created, without waiting; undefined while it is being created or when none exists. */
  ready(kind: string): ProviderCodec | undefined {
    return this.#ready.get(kind);
  }

  async #create(kind: string): Promise<ProviderCodec | undefined> {
    const manifest = this.#fctx.plugin(kind);
    if (manifest === undefined) return undefined;
    // Provider codecs default every setting themselves; per-endpoint settings come from llm_meta.options.
    const fctx: FactoryContext = { ...this.#fctx, kind, log: this.#fctx.log.child({ kind }) };
    const codec: unknown = await manifest.create({}, fctx);
    if (!isPlainObject(codec) || typeof codec.name !== 'string' || typeof codec.api !== 'string' || !isPlainObject(codec.upstream)) {
      throw new DgpError('DGP_ERR_PROVIDER_CODEC', `${kind}: create() did not return a provider codec ({ name, api, settings, upstream, client? }).`, {
        hint: 'see docs/providers.md#writing-a-provider',
      });
    }
    return codec as unknown as ProviderCodec;
  }
}
