// The OpenAI Chat pivot → a Bedrock Converse request: system messages to `system: [{text}]`, turns of content blocks
// (`text`, `image`, `toolUse`, `toolResult`) with consecutive same-role turns merged (the results of parallel calls
// share one user turn, as Converse requires), sampling to `inferenceConfig`, tools to `toolConfig`. The model is in
// the path, not the body.
import { badClientRequest, baseToolId, describeValue, parseDataUrl, parseJsonObject, pushTurn, rejectUntranslatable, reportDropped, textOnlyContent, untranslatable, type ChatMessage, type ChatRequest, type CodecContext, type JsonObject } from '../../../core/llm/index.js';

type Block = JsonObject;
interface Turn {
  role: 'user' | 'assistant';
  content: Block[];
}

const IMAGE_FORMATS: Record<string, string> = { 'image/jpeg': 'jpeg', 'image/png': 'png', 'image/gif': 'gif', 'image/webp': 'webp' };
const HANDLED = new Set([
  'model', 'messages', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'stop', 'stream', 'stream_options',
  'tools', 'tool_choice', 'parallel_tool_calls', 'n', 'response_format',
]);
const REJECTED: Record<string, string> = {
  audio: 'Bedrock Converse does not produce audio',
  web_search_options: 'web search is not a Converse tool',
  functions: 'use tools',
  function_call: 'use tool_choice',
};

/** Converse tool-use ids match [a-zA-Z0-9_-]+ (at most 64): other providers' ids are made to fit, consistently. */
export function bedrockToolId(id: string): string {
  return baseToolId(id).replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64);
}

export function chatToConverseBody(req: ChatRequest, cx: CodecContext): JsonObject {
  rejectUntranslatable(req, cx.provider, REJECTED, { audio: 'Bedrock Converse does not produce audio', n: 'Converse returns one message per request' });
  const outputConfig = outputConfigOf(req, cx);

  const system: Block[] = [];
  const turns: Turn[] = [];
  const push = (role: Turn['role'], content: Block[]): void => pushTurn(turns, role, content);
  req.messages.forEach((m, i) => {
    const at = `messages[${i}]`;
    if (m.role === 'system' || m.role === 'developer') {
      const text = textOnlyContent(m, at);
      if (text !== '') system.push({ text });
    } else if (m.role === 'user') {
      const blocks = userBlocks(m, at, cx);
      if (blocks.length > 0) push('user', blocks);
    } else if (m.role === 'assistant') {
      const blocks = assistantBlocks(m, at);
      if (blocks.length > 0) push('assistant', blocks);
    } else if (m.role === 'tool') {
      if (typeof m.tool_call_id !== 'string') throw badClientRequest(`${at}.tool_call_id`, 'must be a string');
      push('user', [{ toolResult: { toolUseId: bedrockToolId(m.tool_call_id), content: [{ text: textOnlyContent(m, at) }] } }]);
    } else {
      throw badClientRequest(`${at}.role`, `"${m.role}" is not translated (use system, user, assistant or tool)`);
    }
  });
  if (turns.length === 0) throw badClientRequest('messages', 'hold no user or assistant message');
  if (turns[0]!.role !== 'user') throw untranslatable('messages', cx.provider, 'the conversation starts with an assistant turn, and Converse requires a user turn first');

  const body: JsonObject = { messages: turns };
  if (system.length > 0) body.system = system;
  const inference: JsonObject = {};
  const max = req.max_completion_tokens ?? req.max_tokens;
  if (typeof max === 'number') inference.maxTokens = max;
  if (typeof req.temperature === 'number') inference.temperature = req.temperature;
  if (typeof req.top_p === 'number') inference.topP = req.top_p;
  if (req.stop !== undefined && req.stop !== null) inference.stopSequences = Array.isArray(req.stop) ? req.stop : [req.stop];
  if (Object.keys(inference).length > 0) body.inferenceConfig = inference;
  applyTools(req, body, turns, cx);
  if (outputConfig) body.outputConfig = outputConfig;
  reportDropped(cx.log, cx.provider, req, HANDLED);
  return body;
}

/**
 * `response_format` json_schema → `outputConfig.textFormat` (Converse structured output; the schema travels as a JSON
 * string). OpenAI's schema-less json_object mode has no equivalent and is refused rather than answered in prose.
 */
function outputConfigOf(req: ChatRequest, cx: CodecContext): JsonObject | undefined {
  const rf = req.response_format;
  if (!rf || rf.type === 'text') return undefined;
  if (rf.type === 'json_object') {
    throw untranslatable('response_format', cx.provider, 'Converse structured output needs a JSON schema (json_object mode has none); send response_format {type: "json_schema"}');
  }
  if (rf.type !== 'json_schema') throw badClientRequest('response_format.type', 'must be text, json_object or json_schema');
  const schema = rf.json_schema?.schema;
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw badClientRequest('response_format.json_schema.schema', 'must be a JSON schema object');
  const jsonSchema: JsonObject = { schema: JSON.stringify(schema) };
  if (typeof rf.json_schema?.name === 'string' && rf.json_schema.name !== '') jsonSchema.name = rf.json_schema.name;
  return { textFormat: { type: 'json_schema', structure: { jsonSchema } } };
}

function userBlocks(m: ChatMessage, at: string, cx: CodecContext): Block[] {
  if (typeof m.content === 'string') return m.content === '' ? [] : [{ text: m.content }];
  if (!Array.isArray(m.content)) return [];
  const out: Block[] = [];
  m.content.forEach((p, k) => {
    if (p.type === 'text' && typeof p.text === 'string') {
      if (p.text !== '') out.push({ text: p.text });
    } else if (p.type === 'image_url' && typeof (p as { image_url?: { url?: unknown } }).image_url?.url === 'string') {
      out.push(imageBlock((p as { image_url: { url: string } }).image_url.url, `${at}.content[${k}]`, cx));
    } else {
      throw untranslatable(`${at}.content[${k}] (${describeValue(p.type)})`, cx.provider, 'Converse accepts text and images here');
    }
  });
  return out;
}

function imageBlock(url: string, at: string, cx: CodecContext): Block {
  const data = parseDataUrl(url);
  if (!data) throw untranslatable(at, cx.provider, 'Converse takes image bytes: send a base64 data URL');
  const format = IMAGE_FORMATS[data.mediaType];
  if (format === undefined) throw untranslatable(at, cx.provider, `images of type ${data.mediaType} are not accepted (jpeg, png, gif, webp)`);
  return { image: { format, source: { bytes: data.data } } };
}

function assistantBlocks(m: ChatMessage, at: string): Block[] {
  const out: Block[] = [];
  const text = Array.isArray(m.content)
    ? m.content.map((p) => (p.type === 'text' ? String(p.text) : p.type === 'refusal' ? String(p.refusal) : '')).join('')
    : (m.content ?? '');
  if (text !== '') out.push({ text });
  (m.tool_calls ?? []).forEach((c, k) => {
    const input = parseJsonObject(c.function?.arguments);
    if (!input) throw badClientRequest(`${at}.tool_calls[${k}].function.arguments`, 'must be a JSON object text');
    out.push({ toolUse: { toolUseId: bedrockToolId(c.id), name: c.function.name, input } });
  });
  return out;
}

function applyTools(req: ChatRequest, body: JsonObject, turns: Turn[], cx: CodecContext): void {
  const c = req.tool_choice;
  if (!req.tools || req.tools.length === 0) {
    if (c !== undefined) cx.log.debug({ field: 'tool_choice', provider: cx.provider }, 'dropped tool_choice without tools');
    return;
  }
  if (c === 'none') {
    // Converse has no "none": without toolConfig no tool can be called, but history with tool blocks requires one.
    const history = turns.some((t) => t.content.some((b) => b.toolUse !== undefined || b.toolResult !== undefined));
    if (history) throw untranslatable('tool_choice', cx.provider, '"none" cannot be expressed while the conversation holds tool calls');
    return;
  }
  const tools = req.tools.map((t, i) => {
    if (t.type !== 'function' || !t.function) throw untranslatable(`tools[${i}] (${describeValue(t.type)})`, cx.provider, 'only function tools are translated');
    const spec: JsonObject = { name: t.function.name };
    if (t.function.description !== undefined) spec.description = t.function.description;
    spec.inputSchema = { json: t.function.parameters ?? { type: 'object', properties: {} } };
    return { toolSpec: spec };
  });
  const toolConfig: JsonObject = { tools };
  if (c === 'required') toolConfig.toolChoice = { any: {} };
  else if (c === 'auto') toolConfig.toolChoice = { auto: {} };
  else if (typeof c === 'object' && c !== null) toolConfig.toolChoice = { tool: { name: c.function.name } };
  if (req.parallel_tool_calls === false) cx.log.debug({ field: 'parallel_tool_calls', provider: cx.provider }, 'dropped: Converse cannot forbid parallel tool calls');
  body.toolConfig = toolConfig;
}
