// The request as the cache sees it, before the proxy runs: the client's API and codec, the request in pivot form,
// the model asked for, stream and include_usage. Undefined for anything that is not a chat request a client codec
// can read (the proxy judges malformed bodies; the cache only steps aside).
import type { RequestContext } from '../../../core/index.js';
import { clientRouteOf, defaultCodecContext, isPlainObject, type ChatRequest, type ProviderCodec } from '../../../core/llm/index.js';

export interface CacheableRequest {
  /** The client's wire API. */
  readonly api: string;
  readonly codec: ProviderCodec & { client: NonNullable<ProviderCodec['client']> };
  readonly chat: ChatRequest;
  readonly model: string;
  readonly stream: boolean;
  readonly includeUsage: boolean;
}

const SILENT = { debug: () => undefined, warn: () => undefined };

export async function readCacheable(ctx: RequestContext, providers: ReadonlyMap<string, unknown>): Promise<CacheableRequest | undefined> {
  if (ctx.request.method !== 'POST') return undefined;
  const { api, operation } = clientRouteOf(ctx);
  if (api === 'unknown' || operation === undefined) return undefined;
  const codec = providers.get(`dgp.adapter.provider.${api}`) as ProviderCodec | undefined;
  const client = codec?.client;
  if (codec === undefined || client === undefined || !client.chatOperations.includes(operation)) return undefined;
  const body = await ctx.request.json<unknown>().catch(() => undefined);
  if (!isPlainObject(body)) return undefined;
  const { method, path, query, headers } = ctx.request;
  try {
    const info = client.inspect({ operation, method, path, query, headers, body });
    // An OpenAI body is the pivot already: read as it is (the cache never changes it), without the codec's copy.
    const chat = api === 'openai' ? (body as unknown as ChatRequest) : client.toChat(body, defaultCodecContext({ log: SILENT, provider: codec.name, model: info.model, stream: info.stream, includeUsage: info.includeUsage, query, settings: codec.settings }));
    // A malformed body is the proxy's to refuse in the client's shape; the cache only steps aside.
    if (!Array.isArray(chat.messages) || !chat.messages.every((m) => isPlainObject(m))) return undefined;
    return { api, codec: codec as CacheableRequest['codec'], chat, model: info.model, stream: info.stream, includeUsage: info.includeUsage };
  } catch {
    return undefined;
  }
}
