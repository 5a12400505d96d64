// The prompt's tokens, counted locally, for a translated Anthropic stream: Anthropic's message_start carries the input
// tokens before any output (LangChain's ChatAnthropic reads them only there), while OpenAI upstreams report usage at
// the end. Counted once per request on the worker pool (OpenAI's chat rules, o200k_base), ~4 bytes a token if it fails.
import { defineAttribute, type RequestContext, type WorkerPoolApi } from '../../../core/index.js';
import { isPlainObject } from '../../../core/llm/index.js';

const PromptCount = defineAttribute<Promise<number>>('dgp.filter.llm.proxy/prompt_tokens');

/** The text of Anthropic content: a string, or blocks (text, tool_use input, tool_result content). */
function textOf(content: unknown, depth = 0): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content) || depth > 4) return '';
  return content
    .map((b: unknown) => {
      if (!isPlainObject(b)) return '';
      if (typeof b.text === 'string') return b.text;
      if (b.type === 'tool_use') return `${String(b.name ?? '')} ${JSON.stringify(b.input ?? {})}`;
      if (b.type === 'tool_result') return textOf(b.content, depth + 1);
      return '';
    })
    .join('\n');
}

export function anthropicPromptTokens(ctx: RequestContext, body: Record<string, unknown>, workers: WorkerPoolApi): Promise<number> {
  const messages: Array<{ role: string; content: string }> = [];
  if (body.system !== undefined) messages.push({ role: 'system', content: textOf(body.system) });
  for (const m of Array.isArray(body.messages) ? body.messages : []) {
    if (isPlainObject(m)) messages.push({ role: typeof m.role === 'string' ? m.role : 'user', content: textOf(m.content) });
  }
  return promptTokens(ctx, messages, body.tools, workers);
}

/** A Gemini request's prompt (systemInstruction, contents' text and function parts, tools) counted the same way. */
export function geminiPromptTokens(ctx: RequestContext, body: Record<string, unknown>, workers: WorkerPoolApi): Promise<number> {
  // countTokens may wrap the request: {generateContentRequest: {contents, …}}.
  const req = isPlainObject(body.generateContentRequest) ? body.generateContentRequest : body;
  const partsText = (c: unknown): string => {
    if (!isPlainObject(c) || !Array.isArray(c.parts)) return '';
    return c.parts
      .map((p: unknown) => {
        if (!isPlainObject(p)) return '';
        if (typeof p.text === 'string') return p.text;
        if (isPlainObject(p.functionCall) || isPlainObject(p.functionResponse)) return JSON.stringify(p.functionCall ?? p.functionResponse);
        return '';
      })
      .join('\n');
  };
  const messages: Array<{ role: string; content: string }> = [];
  const sys = req.systemInstruction ?? req.system_instruction;
  if (sys !== undefined) messages.push({ role: 'system', content: partsText(sys) });
  for (const c of Array.isArray(req.contents) ? req.contents : []) {
    messages.push({ role: isPlainObject(c) && c.role === 'model' ? 'assistant' : 'user', content: partsText(c) });
  }
  return promptTokens(ctx, messages, req.tools, workers);
}

function promptTokens(ctx: RequestContext, messages: Array<{ role: string; content: string }>, tools: unknown, workers: WorkerPoolApi): Promise<number> {
  let counted = ctx.get(PromptCount);
  if (counted !== undefined) return counted;
  const bytes = messages.reduce((n, m) => n + Buffer.byteLength(m.content), 0) + (tools === undefined ? 0 : Buffer.byteLength(JSON.stringify(tools)));
  const rough = Math.ceil(bytes / 4) + 3 * messages.length + 3;
  try {
    counted = workers
      .run<{ count: number }>('countChatTokens', { messages, ...(tools === undefined ? {} : { tools }), fallbackEncoding: 'o200k_base' })
      .then((r) => r.count, () => rough);
  } catch {
    counted = Promise.resolve(rough);
  }
  ctx.set(PromptCount, counted);
  return counted;
}

/**
 * The tokens of an OpenAI embeddings request's input texts, for an upstream that reports none (the Gemini API): the
 * OpenAI client still gets `usage.prompt_tokens`. Counted with the model's encoding (o200k_base when unknown).
 */
export function embeddingPromptTokens(ctx: RequestContext, body: Record<string, unknown>, workers: WorkerPoolApi): Promise<number> {
  let counted = ctx.get(PromptCount);
  if (counted !== undefined) return counted;
  const texts = typeof body.input === 'string' ? [body.input] : Array.isArray(body.input) ? body.input.filter((t): t is string => typeof t === 'string') : [];
  const model = typeof body.model === 'string' ? body.model : undefined;
  const rough = texts.reduce((n, t) => n + Math.ceil(Buffer.byteLength(t) / 4), 0);
  try {
    counted = Promise.all(texts.map((text) => workers.run<{ count: number }>('tokenize', { text, ...(model === undefined ? {} : { model }), fallbackEncoding: 'o200k_base' })))
      .then((rs) => rs.reduce((n, r) => n + r.count, 0), () => rough);
  } catch {
    counted = Promise.resolve(rough);
  }
  ctx.set(PromptCount, counted);
  return counted;
}
