// Strict mocks of the embeddings endpoints: OpenAI POST /v1/embeddings (Bearer; model, input, encoding_format,
// dimensions, user; base64 answered as little-endian float32) and Gemini :embedContent / :batchEmbedContents
// (x-goog-api-key; unknown fields refused; at most 100 requests per batch, each naming the model of the URL). Vectors
// are derived from the text (embedText) with values exact in float32, so a base64 round trip compares equal.
import type { ServerResponse } from 'node:http';
import { isObject, sendJson, startMockProvider, type MockProvider, type ReceivedRequest, type Rejection } from './server.js';

/** The vector both mocks answer for a text: `dims` values, multiples of 1/64 derived from the text. */
export function embedText(text: string, dims = 8): number[] {
  const out: number[] = [];
  for (let i = 0; i < dims; i++) out.push(((text.length * (i + 1) + (text.charCodeAt(i % Math.max(1, text.length)) || 0)) % 64) / 64);
  return out;
}

/** The OpenAI mock's token count: one token per word. */
export const wordTokens = (text: string): number => text.split(/\s+/).filter(Boolean).length;

const oaiErr = (status: number, message: string, param: string | null = null, code: string | null = null): Rejection => ({
  status,
  body: { error: { message, type: 'invalid_request_error', param, code } },
});
const OAI_PARAMS = new Set(['model', 'input', 'encoding_format', 'dimensions', 'user']);

function validateOpenAiEmbeddings(req: ReceivedRequest, apiKey: string): Rejection | undefined {
  if (req.method !== 'POST' || req.path !== '/v1/embeddings') return oaiErr(404, `Invalid URL (${req.method} ${req.path})`);
  if (req.headers.authorization !== `Bearer ${apiKey}`) return oaiErr(401, 'Incorrect API key provided.', null, 'invalid_api_key');
  const b = req.body;
  if (!isObject(b)) return oaiErr(400, 'We could not parse the JSON body of your request.');
  for (const k of Object.keys(b)) if (!OAI_PARAMS.has(k)) return oaiErr(400, `Unrecognized request argument supplied: ${k}`);
  if (typeof b.model !== 'string' || b.model === '') return oaiErr(400, 'you must provide a model parameter');
  const input = typeof b.input === 'string' ? [b.input] : b.input;
  if (!Array.isArray(input) || input.length === 0 || input.length > 2048 || !input.every((t) => typeof t === 'string' && t !== '')) {
    return oaiErr(400, "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.", 'input');
  }
  if (b.encoding_format !== undefined && b.encoding_format !== 'float' && b.encoding_format !== 'base64') {
    return oaiErr(400, `Invalid value for 'encoding_format': '${String(b.encoding_format)}'. Supported values are: 'float' and 'base64'.`, 'encoding_format');
  }
  if (b.dimensions !== undefined && (!Number.isInteger(b.dimensions) || (b.dimensions as number) < 1)) return oaiErr(400, 'Invalid value for dimensions.', 'dimensions');
  if (b.dimensions !== undefined && !b.model.startsWith('text-embedding-3')) return oaiErr(400, 'This model does not support specifying dimensions.', 'dimensions');
  return undefined;
}

function respondOpenAiEmbeddings(req: ReceivedRequest, res: ServerResponse): void {
  const b = req.body as Record<string, unknown>;
  const input = typeof b.input === 'string' ? [b.input] : (b.input as string[]);
  const dims = typeof b.dimensions === 'number' ? b.dimensions : 8;
  const base64 = b.encoding_format === 'base64';
  const data = input.map((t, index) => {
    const v = embedText(t, dims);
    return { object: 'embedding', index, embedding: base64 ? Buffer.from(new Float32Array(v).buffer).toString('base64') : v };
  });
  const tokens = input.reduce((n, t) => n + wordTokens(t), 0);
  sendJson(res, 200, { object: 'list', data, model: `${String(b.model)}-2024`, usage: { prompt_tokens: tokens, total_tokens: tokens } });
}

export function startMockOpenAiEmbeddings(apiKey = 'sk-test'): Promise<MockProvider> {
  return startMockProvider({ validate: (r) => validateOpenAiEmbeddings(r, apiKey), respond: (q, _r, s) => respondOpenAiEmbeddings(q, s) }, {});
}

const gmErr = (status: number, grpc: string, message: string): Rejection => ({
  status,
  body: { error: { code: status, message, status: grpc } },
  headers: { 'content-type': 'application/json; charset=UTF-8' },
});
const invalid = (message: string) => gmErr(400, 'INVALID_ARGUMENT', message);
const EMBED_FIELDS = new Set(['model', 'content', 'taskType', 'title', 'outputDimensionality']);
const TASK_TYPES = new Set(['TASK_TYPE_UNSPECIFIED', 'RETRIEVAL_QUERY', 'RETRIEVAL_DOCUMENT', 'SEMANTIC_SIMILARITY', 'CLASSIFICATION', 'CLUSTERING', 'QUESTION_ANSWERING', 'FACT_VERIFICATION', 'CODE_RETRIEVAL_QUERY']);

function validateEmbedRequest(r: unknown, where: string): Rejection | undefined {
  if (!isObject(r)) return invalid(`Invalid JSON payload received. ${where}`);
  for (const k of Object.keys(r)) if (!EMBED_FIELDS.has(k)) return invalid(`Invalid JSON payload received. Unknown name "${k}"${where === '' ? '' : ` at '${where}'`}: Cannot find field.`);
  const c = r.content;
  if (!isObject(c) || !Array.isArray(c.parts) || c.parts.length === 0) return invalid(`* ${where || 'EmbedContentRequest'}.content: contents is not specified`);
  if (!c.parts.every((p) => isObject(p) && typeof p.text === 'string')) return invalid('* EmbedContentRequest.content.parts: only text parts are supported');
  if (r.taskType !== undefined && !TASK_TYPES.has(r.taskType as string)) return invalid(`Invalid value at '${where}task_type' (type.googleapis.com/google.ai.generativelanguage.v1beta.TaskType), "${String(r.taskType)}"`);
  if (r.outputDimensionality !== undefined && (!Number.isInteger(r.outputDimensionality) || (r.outputDimensionality as number) < 1)) return invalid('* EmbedContentRequest.output_dimensionality: must be positive');
  return undefined;
}

function validateGeminiEmbeddings(req: ReceivedRequest, apiKey: string): Rejection | undefined {
  const route = /^\/v1beta\/models\/([^/:]+):(embedContent|batchEmbedContents)$/.exec(req.path);
  if (req.method !== 'POST' || !route) return gmErr(404, 'NOT_FOUND', `Not found: ${req.path}`);
  if (req.headers['x-goog-api-key'] !== apiKey) return gmErr(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.');
  const b = req.body;
  if (!isObject(b)) return invalid('Invalid JSON payload received.');
  if (route[2] === 'embedContent') return validateEmbedRequest(b, '');
  for (const k of Object.keys(b)) if (k !== 'requests') return invalid(`Invalid JSON payload received. Unknown name "${k}": Cannot find field.`);
  if (!Array.isArray(b.requests) || b.requests.length === 0) return invalid('* BatchEmbedContentsRequest.requests: requests is not specified');
  if (b.requests.length > 100) return invalid('* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch');
  for (const [i, r] of b.requests.entries()) {
    if (!isObject(r) || r.model !== `models/${route[1]}`) return invalid(`* BatchEmbedContentsRequest.requests[${i}].model: the model of every request must be the model of the URL (models/${route[1]})`);
    const bad = validateEmbedRequest(r, `requests[${i}].`);
    if (bad) return bad;
  }
  return undefined;
}

function respondGeminiEmbeddings(req: ReceivedRequest, res: ServerResponse): void {
  const b = req.body as Record<string, unknown>;
  const one = (r: Record<string, unknown>) => {
    const text = ((r.content as { parts: Array<{ text: string }> }).parts.map((p) => p.text)).join('\n');
    return { values: embedText(text, typeof r.outputDimensionality === 'number' ? r.outputDimensionality : 8) };
  };
  const body = req.path.endsWith(':embedContent') ? { embedding: one(b) } : { embeddings: (b.requests as Array<Record<string, unknown>>).map(one) };
  sendJson(res, 200, body, { 'content-type': 'application/json; charset=UTF-8' });
}

export function startMockGeminiEmbeddings(apiKey = 'gm-test'): Promise<MockProvider> {
  return startMockProvider({ validate: (r) => validateGeminiEmbeddings(r, apiKey), respond: (q, _r, s) => respondGeminiEmbeddings(q, s) }, {});
}
