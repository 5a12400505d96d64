// OpenAI /v1/embeddings both ways: a client's request (input a string or strings, dimensions, encoding_format) → the
// embeddings pivot and the vectors back (float arrays, or little-endian float32 base64 as the SDKs ask by default),
// and the pivot → an upstream request (always float, so the answer needs no decoding) and its answer → pivot.
import {
  badClientRequest,
  badProviderResponse,
  embedDimensions,
  isNumberArray,
  isPlainObject,
  untranslatable,
  type ClientRequestView,
  type CodecContext,
  type EmbedClientCodec,
  type EmbedRequest,
  type EmbedResult,
  type EmbedUpstreamCodec,
  type JsonObject,
} from '../../../core/llm/index.js';

function inputTexts(input: unknown, provider: string): string[] {
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input) || input.length === 0) throw badClientRequest('input', 'must be a string or a non-empty array of strings');
  if (input.every((v) => typeof v === 'string')) return input as string[];
  if (input.every((v) => typeof v === 'number' || Array.isArray(v))) throw untranslatable('input', provider, 'token-id arrays are tokens of an OpenAI encoding');
  throw badClientRequest('input', 'must be a string or a non-empty array of strings');
}

function toBase64(values: readonly number[]): string {
  const f = new Float32Array(values);
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64');
}

function fromBase64(s: string): number[] {
  const b = Buffer.from(s, 'base64');
  const out: number[] = [];
  for (let i = 0; i + 4 <= b.length; i += 4) out.push(b.readFloatLE(i));
  return out;
}

export const openAiEmbedClient: EmbedClientCodec = {
  operations: ['embeddings'],

  toPivot(req: ClientRequestView, cx: CodecContext): EmbedRequest {
    const b = req.body;
    if (!isPlainObject(b)) throw badClientRequest('body', 'must be a JSON object');
    if (typeof b.model !== 'string' || b.model === '') throw badClientRequest('model', 'must be a non-empty string');
    const input = inputTexts(b.input, cx.provider);
    if (input.some((t) => t === '')) throw badClientRequest('input', 'must not contain empty strings');
    const out: EmbedRequest = { model: b.model, input };
    if (b.dimensions !== undefined) out.dimensions = embedDimensions(b.dimensions, 'dimensions');
    if (b.encoding_format !== undefined && b.encoding_format !== 'float' && b.encoding_format !== 'base64') {
      throw badClientRequest('encoding_format', "must be 'float' or 'base64'");
    }
    if (b.user !== undefined) cx.log.debug({ field: 'user', provider: cx.provider }, 'dropped a field the provider API does not accept');
    return out;
  },

  fromPivot(res: EmbedResult, req: ClientRequestView, cx: CodecContext): JsonObject {
    const base64 = isPlainObject(req.body) && req.body.encoding_format === 'base64';
    const tokens = res.promptTokens ?? 0;
    return {
      object: 'list',
      data: res.vectors.map((v, index) => ({ object: 'embedding', index, embedding: base64 ? toBase64(v) : v })),
      model: cx.models.reported,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
  },
};

export const openAiEmbedUpstream: EmbedUpstreamCodec = {
  operation: () => 'embeddings',

  fromPivot(req: EmbedRequest, cx: CodecContext): JsonObject {
    for (const field of ['taskType', 'title'] as const) {
      if (req[field] !== undefined) cx.log.debug({ field, provider: cx.provider }, 'dropped a field the OpenAI API does not accept');
    }
    const body: JsonObject = { model: req.model, input: req.input.length === 1 ? req.input[0] : req.input, encoding_format: 'float' };
    if (req.dimensions !== undefined) body.dimensions = req.dimensions;
    return body;
  },

  toPivot(body: unknown, req: EmbedRequest, cx: CodecContext): EmbedResult {
    if (!isPlainObject(body) || !Array.isArray(body.data)) throw badProviderResponse(cx.provider, 'no data array');
    const vectors: number[][] = [];
    for (const d of body.data) {
      if (!isPlainObject(d)) throw badProviderResponse(cx.provider, 'an embedding is not an object');
      const index = typeof d.index === 'number' ? d.index : vectors.length;
      const v = typeof d.embedding === 'string' ? fromBase64(d.embedding) : d.embedding;
      if (!isNumberArray(v)) throw badProviderResponse(cx.provider, 'an embedding is not an array of numbers');
      vectors[index] = v;
    }
    if (vectors.length !== req.input.length || Array.from(vectors).some((v) => v === undefined)) throw badProviderResponse(cx.provider, `${body.data.length} embeddings for ${req.input.length} inputs`);
    const usage = isPlainObject(body.usage) ? body.usage : {};
    return { vectors, ...(typeof usage.prompt_tokens === 'number' ? { promptTokens: usage.prompt_tokens } : {}) };
  },
};
