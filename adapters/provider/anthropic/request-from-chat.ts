// The OpenAI Chat pivot → an Anthropic Messages request: system messages hoisted to `system`, tool messages turned
// into tool_result blocks, consecutive same-role turns merged (tool results of parallel calls must share one user
// turn), max_tokens defaulted because Anthropic requires it.
import { badClientRequest, baseToolId, describeValue, isPlainObject, parseDataUrl, parseJsonObject, pushTurn, rejectUntranslatable, reportDropped, textOnlyContent, TOOL_ID_SIGNATURE_MARK, untranslatable, type ChatMessage, type ChatRequest, type CodecContext, type JsonObject } from '../../../core/llm/index.js';
import { outputConfigOf } from './output-format.js';

type Block = JsonObject;
interface Turn {
  role: 'user' | 'assistant';
  content: Block[];
}

const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
const HANDLED = new Set([
  'model', 'messages', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'top_k', 'stop', 'stream',
  'stream_options', 'tools', 'tool_choice', 'parallel_tool_calls', 'user', 'n', 'response_format',
]);
const REJECTED: Record<string, string> = {
  audio: 'Anthropic does not produce audio',
  web_search_options: 'Anthropic web search is a server tool',
  functions: 'use tools',
  function_call: 'use tool_choice',
};

/**
 * Tool ids must match ^[a-zA-Z0-9_-]+$ at Anthropic; ids from other providers are made to fit, consistently. A Gemini
 * thought signature carried in the id means nothing here and is left out.
 */
export function anthropicToolId(id: string): string {
  return baseToolId(id).replace(/[^a-zA-Z0-9_-]/g, '_');
}

/** Pass-through: ids carrying a Gemini thought signature (from an earlier Gemini answer) lose it; else undefined. */
export function stripSignedToolIds(body: JsonObject): JsonObject | undefined {
  if (!Array.isArray(body.messages) || !JSON.stringify(body.messages).includes(TOOL_ID_SIGNATURE_MARK)) return undefined;
  const messages = body.messages.map((m) => {
    if (!isPlainObject(m) || !Array.isArray(m.content)) return m;
    const content = m.content.map((b) => {
      if (isPlainObject(b) && b.type === 'tool_use' && typeof b.id === 'string') return { ...b, id: baseToolId(b.id) };
      if (isPlainObject(b) && b.type === 'tool_result' && typeof b.tool_use_id === 'string') return { ...b, tool_use_id: baseToolId(b.tool_use_id) };
      return b;
    });
    return { ...m, content };
  });
  return { ...body, messages };
}

export function chatToAnthropicBody(req: ChatRequest, cx: CodecContext): JsonObject {
  rejectUntranslatable(req, cx.provider, REJECTED, { audio: 'Anthropic does not produce audio', n: 'Anthropic returns one message per request' });
  const outputConfig = outputConfigOf(req, cx);

  const system: string[] = [];
  const turns: Turn[] = [];
  const push = (role: Turn['role'], content: Block[]): void => pushTurn(turns, role, content);
  req.messages.forEach((m, i) => {
    const at = `messages[${i}]`;
    if (m.role === 'system' || m.role === 'developer') {
      if (turns.length > 0) cx.log.debug({ field: at, provider: cx.provider }, 'moved a mid-conversation system message to the top-level system prompt');
      const text = textOnlyContent(m, at);
      if (text !== '') system.push(text);
    } else if (m.role === 'user') {
      const blocks = userBlocks(m, at, cx);
      if (blocks.length > 0) push('user', blocks);
      else cx.log.debug({ field: at, provider: cx.provider }, 'dropped an empty user message');
    } else if (m.role === 'assistant') {
      const blocks = assistantBlocks(m, at);
      if (blocks.length > 0) push('assistant', blocks);
      else cx.log.debug({ field: at, provider: cx.provider }, 'dropped an empty assistant message');
    } else if (m.role === 'tool') {
      if (typeof m.tool_call_id !== 'string') throw badClientRequest(`${at}.tool_call_id`, 'must be a string');
      push('user', [{ type: 'tool_result', tool_use_id: anthropicToolId(m.tool_call_id), content: textOnlyContent(m, at) }]);
    } else {
      throw badClientRequest(`${at}.role`, `"${m.role}" is not translated (use system, user, assistant or tool)`);
    }
  });
  if (turns.length === 0) throw badClientRequest('messages', 'hold no user or assistant message');
  if (turns[0]!.role !== 'user') throw untranslatable('messages', cx.provider, 'the conversation starts with an assistant turn, and Anthropic requires a user turn first');

  const body: JsonObject = {
    model: req.model,
    max_tokens: req.max_completion_tokens ?? req.max_tokens ?? Number(cx.settings.default_max_tokens ?? 4096),
    // A turn of one text block is sent in the short string form, as Anthropic clients write it.
    messages: turns.map((turn) => (turn.content.length === 1 && turn.content[0]!.type === 'text' ? { role: turn.role, content: turn.content[0]!.text } : turn)),
  };
  if (system.length > 0) body.system = system.length === 1 ? system[0] : system.map((text) => ({ type: 'text', text }));
  for (const f of ['temperature', 'top_p', 'top_k'] as const) if (typeof req[f] === 'number') body[f] = req[f];
  if (req.stop !== undefined && req.stop !== null) body.stop_sequences = Array.isArray(req.stop) ? req.stop : [req.stop];
  if (req.stream === true) body.stream = true;
  applyTools(req, body, cx);
  if (outputConfig) body.output_config = outputConfig;
  if (typeof req.user === 'string') body.metadata = { user_id: req.user };
  reportDropped(cx.log, cx.provider, req, HANDLED);
  return body;
}

function userBlocks(m: ChatMessage, at: string, cx: CodecContext): Block[] {
  if (typeof m.content === 'string') return m.content === '' ? [] : [{ type: 'text', text: m.content }];
  if (!Array.isArray(m.content)) return [];
  const out: Block[] = [];
  m.content.forEach((p, k) => {
    if (p.type === 'text' && typeof p.text === 'string') {
      if (p.text !== '') out.push({ type: 'text', text: p.text });
    } else if (p.type === 'image_url' && typeof (p as { image_url?: { url?: unknown } }).image_url?.url === 'string') {
      out.push(imageBlock((p as { image_url: { url: string } }).image_url.url, `${at}.content[${k}]`, cx));
    } else {
      throw untranslatable(`${at}.content[${k}] (${describeValue(p.type)})`, cx.provider, 'Anthropic accepts text and images here');
    }
  });
  return out;
}

function imageBlock(url: string, at: string, cx: CodecContext): Block {
  const data = parseDataUrl(url);
  if (data) {
    if (!IMAGE_TYPES.has(data.mediaType)) throw untranslatable(at, cx.provider, `images of type ${data.mediaType} are not accepted (jpeg, png, gif, webp)`);
    return { type: 'image', source: { type: 'base64', media_type: data.mediaType, data: data.data } };
  }
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  throw untranslatable(at, cx.provider, 'an image URL must be https or a base64 data URL');
}

function assistantBlocks(m: ChatMessage, at: string): Block[] {
  const out: Block[] = [];
  const text = Array.isArray(m.content)
    ? m.content.map((p) => (p.type === 'text' ? String(p.text) : p.type === 'refusal' ? String(p.refusal) : '')).join('')
    : (m.content ?? '');
  if (text !== '') out.push({ type: 'text', text });
  (m.tool_calls ?? []).forEach((c, k) => {
    const input = parseJsonObject(c.function?.arguments);
    if (!input) throw badClientRequest(`${at}.tool_calls[${k}].function.arguments`, 'must be a JSON object text');
    out.push({ type: 'tool_use', id: anthropicToolId(c.id), name: c.function.name, input });
  });
  return out;
}

function applyTools(req: ChatRequest, body: JsonObject, cx: CodecContext): void {
  if (!req.tools || req.tools.length === 0) {
    if (req.tool_choice !== undefined) cx.log.debug({ field: 'tool_choice', provider: cx.provider }, 'dropped tool_choice without tools');
    return;
  }
  body.tools = req.tools.map((t, i) => {
    if (t.type !== 'function' || !t.function) throw untranslatable(`tools[${i}] (${describeValue(t.type)})`, cx.provider, 'only function tools are translated');
    if (t.function.strict !== undefined) cx.log.debug({ field: `tools[${i}].function.strict`, provider: cx.provider }, 'dropped strict');
    const tool: JsonObject = { name: t.function.name };
    if (t.function.description !== undefined) tool.description = t.function.description;
    tool.input_schema = t.function.parameters ?? { type: 'object', properties: {} };
    return tool;
  });
  const c = req.tool_choice;
  let choice: JsonObject | undefined;
  if (c === 'auto') choice = { type: 'auto' };
  else if (c === 'required') choice = { type: 'any' };
  else if (c === 'none') choice = { type: 'none' };
  else if (typeof c === 'object' && c !== null) choice = { type: 'tool', name: c.function.name };
  if (req.parallel_tool_calls === false && choice?.type !== 'none') {
    choice = { ...(choice ?? { type: 'auto' }), disable_parallel_tool_use: true };
  }
  if (choice) body.tool_choice = choice;
}
