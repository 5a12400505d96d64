// The OpenAI Chat pivot → a Gemini generateContent request: system → systemInstruction, assistant → model turns with
// functionCall parts (thought signatures restored from the tool-call id), tool messages → functionResponse parts named
// after their call, consecutive same-role turns merged (parallel calls need all responses in one turn).
import { badClientRequest, describeValue, parseDataUrl, parseJsonObject, rejectUntranslatable, reportDropped, textOnlyContent, untranslatable, type ChatMessage, type ChatRequest, type CodecContext, type JsonObject } from '../../../core/llm/index.js';
import { decodeToolId } from './fields.js';
import { toOpenApiSchema } from './schema-convert.js';

interface Content {
  role: 'user' | 'model';
  parts: JsonObject[];
}

const HANDLED = new Set([
  'model', 'messages', 'stream', 'stream_options', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'top_k',
  'n', 'stop', 'presence_penalty', 'frequency_penalty', 'seed', 'response_format', 'tools', 'tool_choice',
]);
const REJECTED: Record<string, string> = {
  audio: 'audio output is not translated',
  web_search_options: 'use Gemini google_search through a Gemini client',
  functions: 'use tools',
  function_call: 'use tool_choice',
};
const MIME_BY_EXT: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', heic: 'image/heic', heif: 'image/heif' };

export function chatToGeminiBody(req: ChatRequest, cx: CodecContext): JsonObject {
  rejectUntranslatable(req, cx.provider, REJECTED, { audio: 'audio output is not translated' });
  const openapi = cx.settings.json_schema_mode === 'openapi';
  const names = new Map<string, string>();
  const system: JsonObject[] = [];
  const contents: Content[] = [];
  const push = (role: Content['role'], parts: JsonObject[]): void => {
    const last = contents[contents.length - 1];
    if (last && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };
  req.messages.forEach((m, i) => {
    const at = `messages[${i}]`;
    if (m.role === 'system' || m.role === 'developer') {
      const text = textOnlyContent(m, at);
      if (text !== '') system.push({ text });
    } else if (m.role === 'user') {
      const parts = userParts(m, at, cx);
      if (parts.length > 0) push('user', parts);
    } else if (m.role === 'assistant') {
      const parts = modelParts(m, at, names, cx);
      if (parts.length > 0) push('model', parts);
    } else if (m.role === 'tool') {
      const name = typeof m.tool_call_id === 'string' ? names.get(m.tool_call_id) : undefined;
      if (name === undefined) throw badClientRequest(`${at}.tool_call_id`, 'matches no tool call of an earlier assistant message');
      push('user', [{ functionResponse: { name, response: responseObject(textOnlyContent(m, at)) } }]);
    } else throw badClientRequest(`${at}.role`, `"${m.role}" is not translated (use system, user, assistant or tool)`);
  });
  if (contents.length === 0) throw badClientRequest('messages', 'hold no user or assistant message');

  const body: JsonObject = { contents };
  if (system.length > 0) body.systemInstruction = { parts: system };
  const gen = generationConfig(req, openapi);
  if (Object.keys(gen).length > 0) body.generationConfig = gen;
  if (req.tools && req.tools.length > 0) {
    const decls = req.tools.map((t, i) => {
      if (t.type !== 'function' || !t.function) throw untranslatable(`tools[${i}] (${describeValue(t.type)})`, cx.provider, 'only function tools are translated');
      const d: JsonObject = { name: t.function.name };
      if (t.function.description !== undefined) d.description = t.function.description;
      if (t.function.parameters !== undefined) {
        if (openapi) d.parameters = toOpenApiSchema(t.function.parameters);
        else d.parametersJsonSchema = t.function.parameters;
      }
      return d;
    });
    body.tools = [{ functionDeclarations: decls }];
    const mode = toolConfig(req.tool_choice);
    if (mode) body.toolConfig = { functionCallingConfig: mode };
  }
  if (req.parallel_tool_calls === false) cx.log.debug({ field: 'parallel_tool_calls', provider: cx.provider }, 'dropped: Gemini cannot forbid parallel calls');
  reportDropped(cx.log, cx.provider, req, new Set([...HANDLED, 'parallel_tool_calls']));
  return body;
}

function userParts(m: ChatMessage, at: string, cx: CodecContext): JsonObject[] {
  if (typeof m.content === 'string') return m.content === '' ? [] : [{ text: m.content }];
  if (!Array.isArray(m.content)) return [];
  return m.content.flatMap((p, k): JsonObject[] => {
    if (p.type === 'text' && typeof p.text === 'string') return p.text === '' ? [] : [{ text: p.text }];
    const url = p.type === 'image_url' ? (p as { image_url?: { url?: unknown } }).image_url?.url : undefined;
    if (typeof url !== 'string') throw untranslatable(`${at}.content[${k}] (${p.type})`, cx.provider, 'only text and images are translated');
    const data = parseDataUrl(url);
    if (data) return [{ inlineData: { mimeType: data.mediaType, data: data.data } }];
    if (!/^(https?|gs):\/\//i.test(url)) throw untranslatable(`${at}.content[${k}]`, cx.provider, 'an image URL must be https, gs:// or a base64 data URL');
    const ext = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase() ?? '';
    return [{ fileData: { mimeType: MIME_BY_EXT[ext] ?? 'image/jpeg', fileUri: url } }];
  });
}

function modelParts(m: ChatMessage, at: string, names: Map<string, string>, cx: CodecContext): JsonObject[] {
  const parts: JsonObject[] = [];
  const text = Array.isArray(m.content) ? m.content.map((p) => (p.type === 'text' ? String(p.text) : '')).join('') : (m.content ?? '');
  if (text !== '') parts.push({ text });
  let first = true;
  (m.tool_calls ?? []).forEach((c, k) => {
    const args = parseJsonObject(c.function?.arguments);
    if (!args) throw badClientRequest(`${at}.tool_calls[${k}].function.arguments`, 'must be a JSON object text');
    names.set(c.id, c.function.name);
    const { signature } = decodeToolId(c.id);
    const part: JsonObject = { functionCall: { name: c.function.name, args } };
    // Gemini 3 wants the first call of each step signed; history from another provider has no signature.
    const fallback = typeof cx.settings.thought_signature_fallback === 'string' ? cx.settings.thought_signature_fallback : '';
    const sig = signature ?? (first && fallback !== '' ? fallback : undefined);
    if (sig !== undefined) part.thoughtSignature = sig;
    first = false;
    parts.push(part);
  });
  return parts;
}

/** A tool result string → the object Gemini wants: the JSON object itself, else { result: text }. */
function responseObject(text: string): JsonObject {
  const obj = text.trim().startsWith('{') ? parseJsonObject(text) : undefined;
  return obj ?? { result: text };
}

function generationConfig(req: ChatRequest, openapi: boolean): JsonObject {
  const g: JsonObject = {};
  const put = (k: string, v: unknown): void => {
    if (v !== undefined && v !== null) g[k] = v;
  };
  put('temperature', req.temperature);
  put('topP', req.top_p);
  put('topK', req.top_k);
  put('maxOutputTokens', req.max_completion_tokens ?? req.max_tokens);
  if (req.stop !== undefined && req.stop !== null) g.stopSequences = Array.isArray(req.stop) ? req.stop : [req.stop];
  if (typeof req.n === 'number' && req.n > 1) g.candidateCount = req.n;
  put('presencePenalty', req.presence_penalty);
  put('frequencyPenalty', req.frequency_penalty);
  put('seed', req.seed);
  const rf = req.response_format;
  if (rf && rf.type !== 'text') {
    g.responseMimeType = 'application/json';
    const schema = rf.type === 'json_schema' ? rf.json_schema?.schema : undefined;
    if (schema) g[openapi ? 'responseSchema' : 'responseJsonSchema'] = openapi ? toOpenApiSchema(schema) : schema;
  }
  return g;
}

function toolConfig(choice: ChatRequest['tool_choice']): JsonObject | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (choice === 'auto') return { mode: 'AUTO' };
  if (choice === 'none') return { mode: 'NONE' };
  if (choice === 'required') return { mode: 'ANY' };
  return { mode: 'ANY', allowedFunctionNames: [choice.function.name] };
}
