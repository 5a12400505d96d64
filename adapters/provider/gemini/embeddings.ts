// Gemini embeddings both ways: a client's embedContent (one content → one vector) or batchEmbedContents (a request
// per content) → the embeddings pivot and the vectors back in the same shape; the pivot → embedContent for one text,
// batchEmbedContents (each request naming `models/<model>`, as the API requires) for more, and the answer → pivot.
// The Gemini API reports no token usage for embeddings (the caller's local count fills OpenAI's `usage`).
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
import { modelFromPath } from './client.js';

interface OneEmbed {
  text: string;
  taskType?: string;
  title?: string;
  dimensions?: number;
}

/** One EmbedContentRequest (the embedContent body, or an entry of batchEmbedContents' `requests`). */
function readOne(r: unknown, where: string, provider: string): OneEmbed {
  if (!isPlainObject(r) || !isPlainObject(r.content) || !Array.isArray(r.content.parts) || r.content.parts.length === 0) {
    throw badClientRequest(`${where}content`, 'must be a Content with parts');
  }
  const texts = r.content.parts.map((p: unknown, i: number) => {
    if (isPlainObject(p) && typeof p.text === 'string') return p.text;
    throw untranslatable(`${where}content.parts[${i}]`, provider, 'only text parts can be embedded there');
  });
  const out: OneEmbed = { text: texts.join('\n') };
  const taskType = r.taskType ?? r.task_type;
  if (typeof taskType === 'string') out.taskType = taskType;
  if (typeof r.title === 'string') out.title = r.title;
  const dims = r.outputDimensionality ?? r.output_dimensionality;
  if (dims !== undefined) out.dimensions = embedDimensions(dims, `${where}outputDimensionality`);
  return out;
}

export const geminiEmbedClient: EmbedClientCodec = {
  operations: ['embedContent', 'batchEmbedContents'],

  toPivot(req: ClientRequestView, cx: CodecContext): EmbedRequest {
    const model = modelFromPath(req.path);
    const b = req.body;
    if (!isPlainObject(b)) throw badClientRequest('body', 'must be a JSON object');
    let items: OneEmbed[];
    if (req.operation === 'embedContent') {
      items = [readOne(b, '', cx.provider)];
    } else {
      if (!Array.isArray(b.requests) || b.requests.length === 0) throw badClientRequest('requests', 'must be a non-empty array');
      items = b.requests.map((r: unknown, i: number) => {
        // As the Gemini API: every request names the model of the URL.
        const named = isPlainObject(r) && typeof r.model === 'string' ? r.model.replace(/^models\//, '') : undefined;
        if (named !== model) throw badClientRequest(`requests[${i}].model`, `must be "models/${model}", the model of the URL`);
        return readOne(r, `requests[${i}].`, cx.provider);
      });
    }
    // One OpenAI call has one dimensions value; Gemini's per-request options must agree to be carried over.
    const first = items[0]!;
    for (const key of ['dimensions', 'taskType', 'title'] as const) {
      if (items.some((it) => it[key] !== first[key])) throw untranslatable(key === 'dimensions' ? 'outputDimensionality' : key, cx.provider, 'the requests of one batch must share it');
    }
    const out: EmbedRequest = { model, input: items.map((it) => it.text) };
    if (first.dimensions !== undefined) out.dimensions = first.dimensions;
    if (first.taskType !== undefined) out.taskType = first.taskType;
    if (first.title !== undefined) out.title = first.title;
    return out;
  },

  fromPivot(res: EmbedResult, req: ClientRequestView): JsonObject {
    if (req.operation === 'embedContent') return { embedding: { values: res.vectors[0] ?? [] } };
    return { embeddings: res.vectors.map((values) => ({ values })) };
  },
};

function oneRequest(req: EmbedRequest, text: string): JsonObject {
  const r: JsonObject = { content: { parts: [{ text }] } };
  if (req.taskType !== undefined) r.taskType = req.taskType;
  if (req.title !== undefined) r.title = req.title;
  if (req.dimensions !== undefined) r.outputDimensionality = req.dimensions;
  return r;
}

function values(e: unknown, provider: string): number[] {
  const v = isPlainObject(e) ? e.values : undefined;
  if (!isNumberArray(v)) throw badProviderResponse(provider, 'an embedding has no values array');
  return v;
}

export const geminiEmbedUpstream: EmbedUpstreamCodec = {
  operation: (req) => (req.input.length === 1 ? 'embedContent' : 'batchEmbedContents'),

  fromPivot(req: EmbedRequest): JsonObject {
    if (req.input.length === 1) return oneRequest(req, req.input[0]!);
    const model = `models/${req.model.replace(/^models\//, '')}`;
    return { requests: req.input.map((text) => ({ model, ...oneRequest(req, text) })) };
  },

  toPivot(body: unknown, req: EmbedRequest, cx: CodecContext): EmbedResult {
    if (!isPlainObject(body)) throw badProviderResponse(cx.provider, 'the answer is not an object');
    const vectors = req.input.length === 1 ? [values(body.embedding, cx.provider)] : Array.isArray(body.embeddings) ? body.embeddings.map((e: unknown) => values(e, cx.provider)) : undefined;
    if (vectors === undefined || vectors.length !== req.input.length) throw badProviderResponse(cx.provider, `expected ${req.input.length} embeddings`);
    // Vertex AI reports usageMetadata; the Gemini API does not.
    const usage = isPlainObject(body.usageMetadata) ? body.usageMetadata : undefined;
    return { vectors, ...(typeof usage?.promptTokenCount === 'number' ? { promptTokens: usage.promptTokenCount } : {}) };
  },
};
