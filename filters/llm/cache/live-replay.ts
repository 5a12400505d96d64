// A streaming follower's body: the leader's response items as they arrive (live.ts), rendered by this client's own
// stream encoder — the role first for each choice, then text, reasoning, refusals, tool calls and the finish as the
// leader got them, the usage once the leader's answer is complete. If the leader's answer fails after this follower
// received bytes (the upstream broke off), the follower's stream ends with an error event in its own API and is cut,
// as its own upstream call's would be.
import { DgpError } from '../../../core/index.js';
import type { ProviderError, ResponseItem, StreamEncoder, StreamItem } from '../../../core/llm/index.js';
import type { LiveAnswer, LiveEnd } from './live.js';
import { chatUsageOf, chunkItem, contextOf, newId, type ChunkBase, type ReplayTarget } from './replay.js';

interface Aborting {
  readonly aborted: boolean;
  onAbort(listener: () => void): void;
}

const CUT: ProviderError = { status: 502, kind: 'server', message: 'The upstream stream ended before the answer was complete.' };

/** The attached follower's content type and body; undefined when the answer cannot be joined (the follower is released). */
export function liveStream(t: ReplayTarget, live: LiveAnswer, ctx: Aborting): { contentType: string; body: AsyncIterable<Buffer> } | undefined {
  const cx = contextOf(t, { client_model: live.clientModel, model: live.model });
  const encoder = t.client.createEncoder(cx);
  const base: ChunkBase = { id: newId('chatcmpl-'), object: 'chat.completion.chunk', created: cx.now(), model: cx.models.reported };
  const render = new ItemRenderer(encoder, base);
  let pending = '';
  let ended: LiveEnd | undefined;
  let wake: (() => void) | undefined;
  const detach = live.attach({
    item: (item) => {
      pending += render.item(item);
      wake?.();
    },
    end: (e) => {
      ended = e;
      wake?.();
    },
  });
  if (detach === undefined) return undefined;
  ctx.onAbort(() => wake?.());
  async function* body(): AsyncIterable<Buffer> {
    try {
      for (;;) {
        if (ctx.aborted) return;
        if (pending !== '') {
          const out = pending;
          pending = '';
          yield Buffer.from(out);
          continue;
        }
        if (ended !== undefined) break;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
      const end = ended!;
      if (end.ok) {
        const usage = chatUsageOf(end.usage);
        if (usage !== undefined) pending += encoder.write({ type: 'chunk', chunk: { ...base, choices: [], usage } });
        pending += encoder.write({ type: 'done' }) + encoder.end();
        if (pending !== '') yield Buffer.from(pending);
        return;
      }
      if (!render.sawError) pending += encoder.write({ type: 'error', error: CUT });
      if (pending !== '') yield Buffer.from(pending);
      // One turn for the error event to leave before the host cuts the connection (as the proxy does).
      await new Promise((r) => setImmediate(r));
      throw new DgpError('DGP_ERR_UPSTREAM_STREAM_CUT', 'the upstream stream of the coalesced request ended abnormally');
    } finally {
      detach!();
    }
  }
  return { contentType: t.client.streamContentType(cx), body: body() };
}

/** Response items → pivot stream items → this client's encoding. */
class ItemRenderer {
  readonly #started = new Set<number>();
  sawError = false;

  constructor(
    private readonly encoder: StreamEncoder,
    private readonly base: ChunkBase,
  ) {}

  item(item: ResponseItem): string {
    if (item.type === 'error') {
      this.sawError = true;
      return this.encoder.write({ type: 'error', error: item.error });
    }
    let out = '';
    if (!this.#started.has(item.choice)) {
      this.#started.add(item.choice);
      out += this.#chunk(item.choice, { role: 'assistant', content: '' });
    }
    switch (item.type) {
      case 'text':
        return out + this.#chunk(item.choice, { content: item.text });
      case 'reasoning':
        return out + this.#chunk(item.choice, { reasoning_content: item.text });
      case 'refusal':
        return out + this.#chunk(item.choice, { refusal: item.text });
      case 'finish':
        return out + this.encoder.write(chunkItem(this.base, item.choice, {}, item.reason));
      case 'tool_call': {
        const fn: { name?: string; arguments: string } = { arguments: item.arguments };
        if (item.name !== undefined) fn.name = item.name;
        const call = item.id === undefined ? { index: item.index, function: fn } : { index: item.index, id: item.id, type: 'function' as const, function: fn };
        return out + this.#chunk(item.choice, { tool_calls: [call] });
      }
    }
  }

  #chunk(choice: number, delta: Parameters<typeof chunkItem>[2]): string {
    const it: StreamItem = chunkItem(this.base, choice, delta);
    return this.encoder.write(it);
  }
}
