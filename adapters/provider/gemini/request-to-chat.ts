// A Gemini generateContent request (from a Gemini-speaking client) → the OpenAI Chat pivot. Function calls get ids
// (their own, or `call_<turn>_<part>`) and each functionResponse is paired with a call by id, else by name in order.
import { badClientRequest, describeValue, isPlainObject, reportDropped, untranslatable, type ChatContentPart, type ChatMessage, type ChatRequest, type ChatTool, type ChatToolCall, type CodecContext, type JsonObject } from '../../../core/llm/index.js';
import { encodeToolId, field, objectField } from './fields.js';
import { toJsonSchema } from './schema-convert.js';

const HANDLED = new Set(['contents', 'systemInstruction', 'system_instruction', 'generationConfig', 'generation_config', 'tools', 'toolConfig', 'tool_config']);
const GEN_HANDLED = new Set([
  'temperature', 'topP', 'top_p', 'topK', 'top_k', 'maxOutputTokens', 'max_output_tokens', 'stopSequences', 'stop_sequences',
  'candidateCount', 'candidate_count', 'presencePenalty', 'presence_penalty', 'frequencyPenalty', 'frequency_penalty', 'seed',
  'responseMimeType', 'response_mime_type', 'responseSchema', 'response_schema', 'responseJsonSchema', 'response_json_schema',
]);

export function geminiRequestToChat(body: unknown, cx: CodecContext): ChatRequest {
  if (!isPlainObject(body)) throw badClientRequest('body', 'must be a JSON object');
  const contents = field(body, 'contents');
  if (!Array.isArray(contents) || contents.length === 0) throw badClientRequest('contents', 'must be a non-empty array');
  if (field(body, 'cachedContent') !== undefined) throw untranslatable('cachedContent', cx.provider, 'it names content cached at Google');
  const out: ChatRequest = { model: cx.models.client, messages: [] };
  const system = objectField(body, 'systemInstruction');
  if (system) {
    const text = textParts(field(system, 'parts'), 'systemInstruction.parts', cx).join('\n');
    if (text !== '') out.messages.push({ role: 'system', content: text });
  }
  let pending: Array<{ id: string; name: string; used: boolean }> = [];
  contents.forEach((c, i) => {
    const at = `contents[${i}]`;
    if (!isPlainObject(c) || !Array.isArray(c.parts)) throw badClientRequest(`${at}.parts`, 'must be an array');
    const role = c.role ?? 'user';
    if (role === 'model') {
      const { message, calls } = modelTurn(c.parts, i, at, cx);
      out.messages.push(message);
      pending = calls.map((call) => ({ id: call.id, name: call.function.name, used: false }));
    } else if (role === 'user' || role === 'function') {
      out.messages.push(...userTurn(c.parts, at, pending, cx));
    } else throw badClientRequest(`${at}.role`, 'must be "user" or "model"');
  });
  applyGenerationConfig(out, objectField(body, 'generationConfig') ?? {}, cx);
  if (cx.stream) {
    out.stream = true;
    out.stream_options = { include_usage: true };
  }
  applyTools(out, field(body, 'tools'), objectField(body, 'toolConfig'), cx);
  reportDropped(cx.log, cx.provider, body, HANDLED);
  return out;
}

function textParts(parts: unknown, at: string, cx: CodecContext): string[] {
  if (!Array.isArray(parts)) return [];
  return parts.map((p, k) => {
    if (isPlainObject(p) && typeof p.text === 'string') return p.text;
    throw untranslatable(`${at}[${k}]`, cx.provider, 'only text parts can be translated here');
  });
}

function modelTurn(parts: unknown[], turn: number, at: string, cx: CodecContext): { message: ChatMessage; calls: ChatToolCall[] } {
  let text = '';
  const calls: ChatToolCall[] = [];
  parts.forEach((p, k) => {
    if (!isPlainObject(p)) throw badClientRequest(`${at}.parts[${k}]`, 'must be an object');
    const fc = objectField(p, 'functionCall');
    if (p.thought === true) cx.log.debug({ field: `${at}.parts[${k}]`, provider: cx.provider }, 'dropped a thought part');
    else if (typeof p.text === 'string') text += p.text;
    else if (fc && typeof fc.name === 'string') {
      const id = typeof fc.id === 'string' && fc.id !== '' ? fc.id : `call_${turn}_${k}`;
      const sig = field(p, 'thoughtSignature');
      calls.push({ id: encodeToolId(id, typeof sig === 'string' ? sig : undefined), type: 'function', function: { name: fc.name, arguments: JSON.stringify(fc.args ?? {}) } });
    } else throw untranslatable(`${at}.parts[${k}]`, cx.provider, 'this model part has no equivalent');
  });
  const message: ChatMessage = { role: 'assistant', content: text === '' && calls.length > 0 ? null : text };
  if (calls.length > 0) message.tool_calls = calls;
  return { message, calls };
}

function userTurn(parts: unknown[], at: string, pending: Array<{ id: string; name: string; used: boolean }>, cx: CodecContext): ChatMessage[] {
  const tools: ChatMessage[] = [];
  const content: ChatContentPart[] = [];
  parts.forEach((p, k) => {
    const where = `${at}.parts[${k}]`;
    if (!isPlainObject(p)) throw badClientRequest(where, 'must be an object');
    const fr = objectField(p, 'functionResponse');
    const inline = objectField(p, 'inlineData');
    const file = objectField(p, 'fileData');
    if (typeof p.text === 'string') content.push({ type: 'text', text: p.text });
    else if (fr && typeof fr.name === 'string') {
      const id = typeof fr.id === 'string' && fr.id !== '' ? fr.id : undefined;
      const match = pending.find((c) => !c.used && (id !== undefined ? c.id === id || c.id.startsWith(`${id}__thought__`) : c.name === fr.name));
      if (!match) throw badClientRequest(`${where}.functionResponse`, `answers no function call "${fr.name}" of the previous model turn`);
      match.used = true;
      tools.push({ role: 'tool', tool_call_id: match.id, content: JSON.stringify(fr.response ?? {}) });
    } else if (inline && isImage(field(inline, 'mimeType')) && typeof inline.data === 'string') {
      content.push({ type: 'image_url', image_url: { url: `data:${String(field(inline, 'mimeType'))};base64,${inline.data}` } });
    } else if (file && isImage(field(file, 'mimeType')) && typeof field(file, 'fileUri') === 'string') {
      content.push({ type: 'image_url', image_url: { url: String(field(file, 'fileUri')) } });
    } else throw untranslatable(where, cx.provider, 'only text, images and function responses can be translated');
  });
  if (content.length === 0) return tools;
  const onlyText = content.length === 1 && content[0]!.type === 'text';
  return [...tools, { role: 'user', content: onlyText ? (content[0] as { text: string }).text : content }];
}

const isImage = (mime: unknown): boolean => typeof mime === 'string' && mime.startsWith('image/');

function applyGenerationConfig(out: ChatRequest, g: JsonObject, cx: CodecContext): void {
  const num = (camel: string): number | undefined => (typeof field(g, camel) === 'number' ? (field(g, camel) as number) : undefined);
  const set = <K extends keyof ChatRequest>(k: K, v: ChatRequest[K] | undefined): void => {
    if (v !== undefined) out[k] = v;
  };
  set('temperature', num('temperature'));
  set('top_p', num('topP'));
  set('top_k', num('topK'));
  set('max_tokens', num('maxOutputTokens'));
  set('presence_penalty', num('presencePenalty'));
  set('frequency_penalty', num('frequencyPenalty'));
  set('seed', num('seed'));
  const n = num('candidateCount');
  if (n !== undefined && n > 1) out.n = n;
  const stop = field(g, 'stopSequences');
  if (Array.isArray(stop) && stop.length > 0) {
    if (!stop.every((s) => typeof s === 'string')) throw badClientRequest('generationConfig.stopSequences', 'must be an array of strings');
    out.stop = stop as string[];
  }
  const mime = field(g, 'responseMimeType');
  if (mime === 'application/json') {
    const schema = field(g, 'responseJsonSchema') ?? (field(g, 'responseSchema') === undefined ? undefined : toJsonSchema(field(g, 'responseSchema')));
    out.response_format = isPlainObject(schema) ? { type: 'json_schema', json_schema: { name: 'response', schema } } : { type: 'json_object' };
  } else if (mime !== undefined && mime !== 'text/plain') {
    throw untranslatable('generationConfig.responseMimeType', cx.provider, `${describeValue(mime)} output has no equivalent`);
  }
  const modalities = field(g, 'responseModalities');
  if (Array.isArray(modalities) && modalities.some((m) => m !== 'TEXT')) throw untranslatable('generationConfig.responseModalities', cx.provider, 'only text output is translated');
  reportDropped(cx.log, cx.provider, g, GEN_HANDLED, 'generationConfig.');
}

function applyTools(out: ChatRequest, tools: unknown, toolConfig: JsonObject | undefined, cx: CodecContext): void {
  const list: ChatTool[] = [];
  if (Array.isArray(tools)) {
    tools.forEach((t, i) => {
      if (!isPlainObject(t)) throw badClientRequest(`tools[${i}]`, 'must be an object');
      const decls = field(t, 'functionDeclarations');
      const other = Object.keys(t).filter((k) => k !== 'functionDeclarations' && k !== 'function_declarations');
      if (other.length > 0) throw untranslatable(`tools[${i}].${other[0]}`, cx.provider, 'Gemini built-in tools run inside Google');
      for (const d of Array.isArray(decls) ? decls : []) {
        if (!isPlainObject(d) || typeof d.name !== 'string') throw badClientRequest(`tools[${i}].functionDeclarations`, 'each needs a name');
        const params = field(d, 'parametersJsonSchema') ?? (d.parameters === undefined ? undefined : toJsonSchema(d.parameters));
        const fn: ChatTool['function'] = { name: d.name };
        if (typeof d.description === 'string') fn.description = d.description;
        fn.parameters = isPlainObject(params) ? params : { type: 'object', properties: {} };
        list.push({ type: 'function', function: fn });
      }
    });
  }
  if (list.length > 0) out.tools = list;
  const cfg = toolConfig ? objectField(toolConfig, 'functionCallingConfig') : undefined;
  if (!cfg) return;
  const allowed = field(cfg, 'allowedFunctionNames');
  const names = Array.isArray(allowed) ? allowed.map(String) : [];
  switch (cfg.mode) {
    case 'NONE':
      out.tool_choice = 'none';
      break;
    case 'ANY':
      if (names.length === 1) out.tool_choice = { type: 'function', function: { name: names[0]! } };
      else {
        out.tool_choice = 'required';
        // "Any of these" = required over only those tools.
        if (names.length > 1 && out.tools) out.tools = out.tools.filter((t) => names.includes(t.function.name));
      }
      break;
    case 'VALIDATED':
      cx.log.debug({ field: 'toolConfig.functionCallingConfig.mode', provider: cx.provider }, 'VALIDATED sent as auto');
      out.tool_choice = 'auto';
      break;
    default:
      out.tool_choice = 'auto';
  }
}
