// A unary answer, in the client API's own format: read into the pivot with that API's codec, each choice's text and
// tool-call arguments checked whole, and written back only when a rule changed something. A block replaces every
// choice with the refusal text and the API's filtered finish (content_filter / refusal / SAFETY) — a normal answer to
// the SDKs, not an error. Synchronous when every text is scanned inline and no webhook checks the output (the common
// case costs no promise); otherwise the same steps continue asynchronously (maybe-sync.ts).
import type { ChatCompletion, CodecContext, ProviderCodec } from '../../../core/llm/index.js';
import type { Rule } from './compile.js';
import { runSteps, type Steps } from './maybe-sync.js';
import type { OutputChecker, Whole } from './output-text.js';

type Message = ChatCompletion['choices'][number]['message'] & { reasoning_content?: unknown };

export interface UnaryResult {
  /** The new body; undefined when nothing changed. */
  readonly body?: Buffer;
  readonly block?: Rule;
}

interface Walked {
  changed: boolean;
  /** The rule that blocks the answer: a regex rule on one of its texts, or a webhook on the whole. */
  block?: Rule;
}

/** Every text of the answer through the regex rules (each result applied), then a webhook on the whole answer. */
function* answerSteps(chat: ChatCompletion, checker: OutputChecker): Steps<Walked> {
  const out: Walked = { changed: false };
  const whole: string[] = [];
  for (const c of chat.choices) {
    const m = c.message as Message;
    for (const field of ['content', 'reasoning_content'] as const) {
      const text = m[field];
      if (typeof text !== 'string' || text === '') continue;
      const r = (yield checker.checkWhole(text)) as Whole;
      if (r.block) return { ...out, block: r.block };
      if (r.text !== text) (m[field] = r.text), (out.changed = true);
      if (field === 'content') whole.push(r.text);
    }
    for (const t of m.tool_calls ?? []) {
      const r = (yield checker.checkWhole(t.function.arguments)) as Whole;
      if (r.block) return { ...out, block: r.block };
      if (r.text !== t.function.arguments) (t.function.arguments = r.text), (out.changed = true);
      whole.push(`${t.function.name}(${r.text})`);
    }
  }
  if (!checker.buffersAll) return out;
  const block = (yield checker.webhookVerdict(whole.join('\n'))) as Rule | undefined;
  return block === undefined ? out : { ...out, block };
}

export function checkUnary(raw: Buffer, codec: ProviderCodec, cx: CodecContext, checker: OutputChecker, refusal: string): UnaryResult | 'unreadable' | Promise<UnaryResult | 'unreadable'> {
  let chat: ChatCompletion;
  try {
    chat = codec.upstream.toChat(JSON.parse(raw.toString('utf8')), cx);
  } catch {
    return 'unreadable';
  }
  const walked = runSteps(answerSteps(chat, checker));
  return walked instanceof Promise ? walked.then((w) => result(chat, w, codec, cx, refusal)) : result(chat, walked, codec, cx, refusal);
}

function result(chat: ChatCompletion, w: Walked, codec: ProviderCodec, cx: CodecContext, refusal: string): UnaryResult {
  const block = w.block;
  if (block !== undefined) {
    chat.choices = chat.choices.map((c) => ({ ...c, message: { role: 'assistant', content: refusal, refusal: null }, finish_reason: 'content_filter' }));
  } else if (!w.changed) return {};
  const body = Buffer.from(JSON.stringify(codec.client!.fromChat(chat, cx)));
  return block === undefined ? { body } : { body, block };
}
