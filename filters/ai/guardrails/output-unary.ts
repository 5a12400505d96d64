// A unary answer, in the client API's own format: read into the pivot with that API's codec, each choice's text and
// tool-call arguments checked whole, and written back only when a rule changed something. A block replaces every
// choice with the refusal text and the API's filtered finish (content_filter / refusal / SAFETY) — a normal answer to
// the SDKs, not an error. Synchronous when every text is scanned inline and no webhook checks the output (the common
// case costs no promise); otherwise the same walk continues asynchronously.
import type { ChatCompletion, CodecContext, ProviderCodec } from '../../../core/llm/index.js';
import type { Rule } from './compile.js';
import type { OutputChecker, Whole } from './output-text.js';

type Message = ChatCompletion['choices'][number]['message'] & { reasoning_content?: unknown };

export interface UnaryResult {
  /** The new body; undefined when nothing changed. */
  readonly body?: Buffer;
  readonly block?: Rule;
}

interface Walked {
  changed: boolean;
  block?: Rule;
  /** The answer's text and tool calls, for a webhook's verdict on the whole. */
  whole: string[];
}

/** Yields every text of the answer to be checked and applies each result; returns what changed. */
function* walk(chat: ChatCompletion): Generator<string, Walked, Whole> {
  const out: Walked = { changed: false, whole: [] };
  for (const c of chat.choices) {
    const m = c.message as Message;
    for (const field of ['content', 'reasoning_content'] as const) {
      const text = m[field];
      if (typeof text !== 'string' || text === '') continue;
      const r = yield text;
      if (r.block) return { ...out, block: r.block };
      if (r.text !== text) (m[field] = r.text), (out.changed = true);
      if (field === 'content') out.whole.push(r.text);
    }
    for (const t of m.tool_calls ?? []) {
      const r = yield t.function.arguments;
      if (r.block) return { ...out, block: r.block };
      if (r.text !== t.function.arguments) (t.function.arguments = r.text), (out.changed = true);
      out.whole.push(`${t.function.name}(${r.text})`);
    }
  }
  return out;
}

export function checkUnary(raw: Buffer, codec: ProviderCodec, cx: CodecContext, checker: OutputChecker, refusal: string): UnaryResult | 'unreadable' | Promise<UnaryResult | 'unreadable'> {
  let chat: ChatCompletion;
  try {
    chat = codec.upstream.toChat(JSON.parse(raw.toString('utf8')), cx);
  } catch {
    return 'unreadable';
  }
  const steps = walk(chat);
  let next = steps.next();
  while (!next.done) {
    const r = checker.checkWhole(next.value);
    if (r instanceof Promise) return walkAsync(steps, r, chat, codec, cx, checker, refusal);
    next = steps.next(r);
  }
  const walked = next.value;
  if (walked.block === undefined && checker.buffersAll) return checker.webhookVerdict(walked.whole.join('\n')).then((block) => result(chat, walked, block, codec, cx, refusal));
  return result(chat, walked, undefined, codec, cx, refusal);
}

async function walkAsync(
  steps: Generator<string, Walked, Whole>,
  pending: Promise<Whole>,
  chat: ChatCompletion,
  codec: ProviderCodec,
  cx: CodecContext,
  checker: OutputChecker,
  refusal: string,
): Promise<UnaryResult> {
  let next = steps.next(await pending);
  while (!next.done) next = steps.next(await checker.checkWhole(next.value));
  const webhook = next.value.block === undefined ? await checker.webhookVerdict(next.value.whole.join('\n')) : undefined;
  return result(chat, next.value, webhook, codec, cx, refusal);
}

function result(chat: ChatCompletion, w: Walked, webhook: Rule | undefined, codec: ProviderCodec, cx: CodecContext, refusal: string): UnaryResult {
  const block = w.block ?? webhook;
  if (block !== undefined) {
    chat.choices = chat.choices.map((c) => ({ ...c, message: { role: 'assistant', content: refusal, refusal: null }, finish_reason: 'content_filter' }));
  } else if (!w.changed) return {};
  const body = Buffer.from(JSON.stringify(codec.client!.fromChat(chat, cx)));
  return block === undefined ? { body } : { body, block };
}
