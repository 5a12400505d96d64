// A strict mock of the Gemini API generateContent / streamGenerateContent: x-goog-api-key (or ?key=), unknown
// fields refused, user/model roles, function-call turn order and response counts, optionally Gemini 3's
// thought-signature rule; replies as GenerateContentResponse JSON, SSE (?alt=sse) or a JSON-array stream.
import type { ServerResponse } from 'node:http';
import { halves, isObject, sendEvents, sendJson, startMockProvider, type MockProvider, type MockReply, type ReceivedRequest, type Rejection, type ReplyScript } from './server.js';

const FIELDS = new Set(['contents', 'systemInstruction', 'system_instruction', 'generationConfig', 'generation_config', 'tools', 'toolConfig', 'tool_config', 'safetySettings', 'safety_settings', 'cachedContent', 'cached_content']);
const GEN_FIELDS = new Set(['temperature', 'topP', 'topK', 'maxOutputTokens', 'stopSequences', 'candidateCount', 'presencePenalty', 'frequencyPenalty', 'seed', 'responseMimeType', 'responseSchema', 'responseJsonSchema', 'thinkingConfig', 'responseModalities']);
const PART_DATA = ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse', 'executableCode', 'codeExecutionResult'];

const err = (status: number, grpc: string, message: string, details?: object[]): Rejection => ({
  status,
  body: { error: { code: status, message, status: grpc, ...(details ? { details } : {}) } },
  headers: { 'content-type': 'application/json; charset=UTF-8' },
});
const invalid = (message: string) => err(400, 'INVALID_ARGUMENT', message);

export interface GeminiMockOptions {
  apiKey?: string;
  reply: ReplyScript;
  /** Gemini 3 behaviour: the first functionCall of every model turn must carry a thoughtSignature. */
  requireThoughtSignatures?: boolean;
  /** Put this thoughtSignature on the first functionCall of replies. */
  signature?: string;
}

export function validateGemini(req: ReceivedRequest, o: GeminiMockOptions): Rejection | undefined {
  // The API serves v1 and v1beta alike (the GenAI SDK sends some calls under each).
  const route = /^\/v1(?:beta)?\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/.exec(req.path);
  if (req.method !== 'POST' || !route) return err(404, 'NOT_FOUND', `Not found: ${req.path}`);
  const key = req.headers['x-goog-api-key'] ?? req.query.get('key') ?? undefined;
  if (key === undefined) return err(403, 'PERMISSION_DENIED', "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.");
  if (key !== (o.apiKey ?? 'gm-test')) {
    return err(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }]);
  }
  if (!isObject(req.body)) return invalid('Invalid JSON payload received.');
  let b: Record<string, unknown> = req.body;
  if (route[2] === 'countTokens') {
    // countTokens takes `contents`, or a whole `generateContentRequest` (with its model) to count tools and system too.
    for (const k of Object.keys(b)) if (k !== 'contents' && k !== 'generateContentRequest') return invalid(`Invalid JSON payload received. Unknown name "${k}": Cannot find field.`);
    if (isObject(b.generateContentRequest)) b = b.generateContentRequest;
    else if (!Array.isArray(b.contents)) return invalid('* CountTokensRequest.contents: contents is not specified\n');
    const { model: _model, ...inner } = b;
    b = inner;
  }
  for (const k of Object.keys(b)) if (!FIELDS.has(k)) return invalid(`Invalid JSON payload received. Unknown name "${k}": Cannot find field.`);
  const gen = b.generationConfig ?? b.generation_config;
  if (isObject(gen)) for (const k of Object.keys(gen)) if (!GEN_FIELDS.has(k)) return invalid(`Invalid JSON payload received. Unknown name "${k}" at 'generation_config': Cannot find field.`);
  if (!Array.isArray(b.contents) || b.contents.length === 0) return invalid('* GenerateContentRequest.contents: contents is not specified\n');
  return validateContents(b.contents, o) ?? validateTools(b.tools);
}

function validateContents(contents: unknown[], o: GeminiMockOptions): Rejection | undefined {
  let lastCalls = 0;
  let lastWasUserOrResponse = true;
  for (const [i, c] of contents.entries()) {
    if (!isObject(c) || (c.role !== undefined && c.role !== 'user' && c.role !== 'model')) return invalid('Please use a valid role: user, model.');
    if (!Array.isArray(c.parts) || c.parts.length === 0) return invalid(`* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.\n`);
    let calls = 0;
    let responses = 0;
    for (const [k, p] of c.parts.entries()) {
      const data = isObject(p) ? PART_DATA.filter((f) => p[f] !== undefined) : [];
      if (data.length !== 1) return invalid(`* GenerateContentRequest.contents[${i}].parts[${k}].data: required oneof field 'data' must have one initialized field\n`);
      const part = p as Record<string, unknown>;
      if (part.functionCall !== undefined) {
        if (c.role !== 'model') return invalid('Please ensure that function call turns come from the model.');
        if (calls === 0 && o.requireThoughtSignatures && typeof part.thoughtSignature !== 'string') {
          return invalid(`Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${String((part.functionCall as Record<string, unknown>).name)}\` , position ${i + 1}.`);
        }
        calls++;
      }
      if (part.functionResponse !== undefined) responses++;
    }
    if (calls > 0 && !lastWasUserOrResponse) return invalid('Please ensure that function call turn comes immediately after a user turn or after a function response turn.');
    if (responses > 0 && responses !== lastCalls) return invalid('Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.');
    lastCalls = calls;
    lastWasUserOrResponse = c.role !== 'model';
  }
  return undefined;
}

function validateTools(tools: unknown): Rejection | undefined {
  if (tools === undefined) return undefined;
  if (!Array.isArray(tools)) return invalid('Invalid JSON payload received. Invalid value at \'tools\'');
  for (const t of tools) {
    const decls = isObject(t) ? t.functionDeclarations : undefined;
    for (const d of Array.isArray(decls) ? decls : []) {
      if (!isObject(d) || typeof d.name !== 'string') return invalid('* GenerateContentRequest.tools[0].function_declarations[0].name: Invalid function name.');
      if (d.parameters !== undefined && d.parametersJsonSchema !== undefined) return invalid('parameters and parameters_json_schema are mutually exclusive');
    }
  }
  return undefined;
}

const FINISH = { stop: 'STOP', length: 'MAX_TOKENS', tool_calls: 'STOP' } as const;

function respondGemini(req: ReceivedRequest, reply: MockReply, res: ServerResponse, o: GeminiMockOptions): void {
  const model = /models\/([^/:]+):/.exec(req.path)![1]!;
  const u = reply.usage ?? { input: 20, output: 10 };
  const usageMetadata = { promptTokenCount: u.input, candidatesTokenCount: u.output, totalTokenCount: u.input + u.output, ...(u.cached ? { cachedContentTokenCount: u.cached } : {}) };
  const meta = { modelVersion: model, responseId: 'resp-mock1' };
  const calls = (reply.toolCalls ?? []).map((c, i) => ({ functionCall: { name: c.name, args: c.args }, ...(i === 0 && o.signature ? { thoughtSignature: o.signature } : {}) }));
  const finishReason = FINISH[reply.finish ?? (calls.length > 0 ? 'tool_calls' : 'stop')];
  const candidate = (parts: object[], finish?: string) => ({ content: { parts, role: 'model' }, ...(finish ? { finishReason: finish } : {}), index: 0 });
  if (req.path.endsWith(':countTokens')) {
    const n = reply.usage?.input ?? 20;
    sendJson(res, 200, { totalTokens: n, promptTokensDetails: [{ modality: 'TEXT', tokenCount: n }] }, { 'content-type': 'application/json; charset=UTF-8' });
    return;
  }
  if (req.path.endsWith(':generateContent')) {
    const parts = [...(reply.text ? [{ text: reply.text }] : []), ...calls];
    sendJson(res, 200, { candidates: [candidate(parts, finishReason)], usageMetadata, ...meta }, { 'content-type': 'application/json; charset=UTF-8' });
    return;
  }
  const chunks: object[] = (reply.text ? halves(reply.text) : []).map((t) => ({ candidates: [candidate([{ text: t }])], usageMetadata, ...meta }));
  chunks.push({ candidates: [candidate(calls.length > 0 ? calls : [{ text: '' }], finishReason)], usageMetadata, ...meta });
  if (req.query.get('alt') === 'sse') {
    sendEvents(res, 'text/event-stream', chunks.map((c) => `data: ${JSON.stringify(c)}\r\n\r\n`));
  } else {
    sendEvents(res, 'application/json; charset=UTF-8', chunks.map((c, i) => `${i === 0 ? '[' : ',\r\n'}${JSON.stringify(c)}${i === chunks.length - 1 ? ']' : ''}`));
  }
}

export function startMockGemini(opts: GeminiMockOptions): Promise<MockProvider> {
  return startMockProvider({ validate: (r) => validateGemini(r, opts), respond: (q, r, s) => respondGemini(q, r, s, opts) }, opts.reply);
}
