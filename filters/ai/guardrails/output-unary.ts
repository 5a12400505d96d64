// A unary answer, in the client API's own format: read into the pivot with that API's codec, each choice's text and
// tool-call arguments checked whole, and written back only when a rule changed something. A block replaces every
// choice with the refusal text and the API's filtered finish (content_filter / refusal / SAFETY) — a normal answer to
// the SDKs, not an error.
import type { ChatCompletion, CodecContext, ProviderCodec } from '../../../core/llm/index.js';
import type { Rule } from './compile.js';
import type { OutputChecker } from './output-text.js';

type Message = ChatCompletion['choices'][number]['message'] & { reasoning_content?: unknown };

export interface UnaryResult {
  /** The new body; undefined when nothing changed. */
  readonly body?: Buffer;
  readonly block?: Rule;
}

export async function checkUnary(raw: Buffer, codec: ProviderCodec, cx: CodecContext, checker: OutputChecker, refusal: string): Promise<UnaryResult | 'unreadable'> {
  let chat: ChatCompletion;
  try {
    chat = codec.upstream.toChat(JSON.parse(raw.toString('utf8')), cx);
  } catch {
    return 'unreadable';
  }
  let changed = false;
  let block: Rule | undefined;
  const whole: string[] = [];
  outer: for (const c of chat.choices) {
    const m = c.message as Message;
    for (const field of ['content', 'reasoning_content'] as const) {
      const text = m[field];
      if (typeof text !== 'string' || text === '') continue;
      const r = await checker.checkWhole(text);
      if (r.block) {
        block = r.block;
        break outer;
      }
      if (r.text !== text) (m[field] = r.text), (changed = true);
      if (field === 'content') whole.push(r.text);
    }
    for (const t of m.tool_calls ?? []) {
      const r = await checker.checkWhole(t.function.arguments);
      if (r.block) {
        block = r.block;
        break outer;
      }
      if (r.text !== t.function.arguments) (t.function.arguments = r.text), (changed = true);
      whole.push(`${t.function.name}(${r.text})`);
    }
  }
  block ??= await checker.webhookVerdict(whole.join('\n'));
  if (block !== undefined) {
    chat.choices = chat.choices.map((c) => ({ ...c, message: { role: 'assistant', content: refusal, refusal: null }, finish_reason: 'content_filter' }));
    changed = true;
  }
  if (!changed) return {};
  const body = Buffer.from(JSON.stringify(codec.client!.fromChat(chat, cx)));
  return block === undefined ? { body } : { body, block };
}
