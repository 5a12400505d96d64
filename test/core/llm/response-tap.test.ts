// The same-API stream tap: usage found by byte searches at every chunk split (LF and CRLF framing), items decoded for
// live subscribers, and for subscribers that want items only without usage: nothing when usage came, everything
// (held, or decoded live once too much was held) when it did not.
import t from 'tap';
import { LlmExchange, PassthroughStreamTap, coalesceItems, defaultCodecContext, tapUnary, type LlmUsage, type ResponseItem } from '../../../core/llm/index.js';
import { codec, readFixture, recorder } from '../../adapters/provider/helpers.js';

const openai = codec('openai');
const cx = defaultCodecContext({ log: recorder(), provider: 'openai', model: 'm', stream: true, includeUsage: false, query: '', settings: {} });
const STREAM = readFixture('upstream/openai/stream.sse');
const USAGE: LlmUsage = { input: 220, output: 48, cache_read: 64, cache_write: 0, reasoning: 0, total: 268 };
const settleCtx = () => ({ get: () => undefined, set: () => undefined });

function run(pieces: Buffer[], subscribe?: (lx: LlmExchange, items: ResponseItem[]) => void): { usage: LlmUsage | undefined; items: ResponseItem[] } {
  const lx = new LlmExchange({ clientApi: 'openai', operation: 'chat', pivot: async () => undefined });
  const items: ResponseItem[] = [];
  subscribe?.(lx, items);
  const tap = new PassthroughStreamTap(lx, openai, cx);
  for (const p of pieces) tap.feed(p);
  return { usage: lx.settle(settleCtx()), items };
}

const split = (b: Buffer, i: number, j: number): Buffer[] => [b.subarray(0, i), b.subarray(i, j), b.subarray(j)];

t.test('usage is found at every split, LF and CRLF framed, with nobody subscribed', async (t) => {
  for (const bytes of [STREAM, Buffer.from(STREAM.toString('utf8').replace(/\n/g, '\r\n'))]) {
    let bad = 0;
    for (let i = 0; i <= bytes.length; i += 3) {
      const r = run(split(bytes, i, Math.min(bytes.length, i + 11)));
      if (JSON.stringify(r.usage) !== JSON.stringify(USAGE) || r.items.length > 0) bad++;
    }
    t.equal(bad, 0, bytes === STREAM ? 'LF' : 'CRLF');
  }
});

t.test('a live subscriber gets every item; one that wants items only without usage gets none when usage came', async (t) => {
  const live = run([STREAM], (lx, items) => lx.subscribe((i) => items.push(i)));
  t.ok(coalesceItems(live.items).some((i) => i.type === 'text'));
  t.same(live.usage, USAGE);
  const deferred = run(split(STREAM, 100, 300), (lx, items) => lx.subscribe((i) => items.push(i), { onlyWithoutUsage: true }));
  t.same(deferred.items, [], 'usage came: nothing to count');
  t.same(deferred.usage, USAGE);
});

t.test('without usage, deferred subscribers get the items at the end, or live once too much was held', async (t) => {
  const noUsage = Buffer.from(STREAM.toString('utf8').replace(/,"usage":\{.*?\}\}/g, ''));
  const want = run([noUsage], (lx, items) => lx.subscribe((i) => items.push(i))).items;
  t.ok(want.length > 0);
  const held = run(split(noUsage, 50, 51), (lx, items) => lx.subscribe((i) => items.push(i), { onlyWithoutUsage: true }));
  t.equal(held.usage, undefined);
  t.same(held.items, want, 'held chunks decoded at the end');

  const event = 'data: {"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"abcdefgh"},"finish_reason":null}]}\n\n';
  const big = Buffer.from(event.repeat(3000) + 'data: [DONE]\n\n');
  let seenBeforeEnd = 0;
  const lx = new LlmExchange({ clientApi: 'openai', operation: 'chat', pivot: async () => undefined });
  let count = 0;
  lx.subscribe(() => count++, { onlyWithoutUsage: true });
  const tap = new PassthroughStreamTap(lx, openai, cx);
  for (let i = 0; i < big.length; i += 4096) tap.feed(big.subarray(i, i + 4096));
  seenBeforeEnd = count;
  lx.settle(settleCtx());
  t.ok(seenBeforeEnd > 0, 'decoded live once more than the hold limit went by');
  t.equal(count, 3000, 'every text item, once');
});

t.test('"usage": null in every chunk is skipped by bytes; a spaced-out report after it is still read', async (t) => {
  const chunk = (extra: string) => `data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"x"}}],${extra}}\n\n`;
  const body = Buffer.from(
    chunk('"usage":null') + chunk('"usage" : null') + chunk('"usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}') + 'data: [DONE]\n\n',
  );
  const parsed: string[] = [];
  const realParse = JSON.parse;
  JSON.parse = ((text: string, ...rest: never[]) => (parsed.push(text), realParse(text, ...rest))) as typeof JSON.parse;
  let r: ReturnType<typeof run>;
  try {
    r = run([body]);
  } finally {
    JSON.parse = realParse;
  }
  t.same(r.usage, { input: 3, output: 2, cache_read: 0, cache_write: 0, reasoning: 0, total: 5 });
  t.equal(parsed.filter((p) => p.includes('"usage"')).length, 1, 'only the event with a usage value is parsed');
});

t.test('finish-only subscribers get the finish items a live subscriber gets, at every split, LF and CRLF framed', async (t) => {
  const finishes = (items: ResponseItem[]) => items.filter((i) => i.type === 'finish');
  const want = finishes(run([STREAM], (lx, items) => lx.subscribe((i) => items.push(i))).items);
  t.ok(want.length > 0, 'the fixture has a finish reason');
  for (const bytes of [STREAM, Buffer.from(STREAM.toString('utf8').replace(/\n/g, '\r\n'))]) {
    let bad = 0;
    for (let i = 0; i <= bytes.length; i += 3) {
      const r = run(split(bytes, i, Math.min(bytes.length, i + 11)), (lx, items) => lx.subscribe((it) => items.push(it), { finishOnly: true }));
      if (JSON.stringify(r.items) !== JSON.stringify(want) || JSON.stringify(r.usage) !== JSON.stringify(USAGE)) bad++;
    }
    t.equal(bad, 0, bytes === STREAM ? 'LF' : 'CRLF');
  }
  // A stream whose events are not OpenAI chat chunks is decoded for them (Anthropic's stop_reason, mapped by its codec).
  const anthropic = codec('anthropic');
  const acx = defaultCodecContext({ log: recorder(), provider: 'anthropic', model: 'm', stream: true, includeUsage: false, query: '', settings: {} });
  const bytes = readFixture('upstream/anthropic/stream.sse');
  const collect = (opts?: { finishOnly: true }): ResponseItem[] => {
    const lx = new LlmExchange({ clientApi: 'anthropic', operation: 'messages', pivot: async () => undefined });
    const items: ResponseItem[] = [];
    lx.subscribe((i) => items.push(i), opts);
    const tap = new PassthroughStreamTap(lx, anthropic, acx);
    tap.feed(bytes);
    lx.settle(settleCtx());
    return items;
  };
  const live = finishes(collect());
  t.ok(live.length > 0);
  t.same(collect({ finishOnly: true }), live, 'anthropic: the same finish items');
});

t.test('a unary OpenAI chat answer: finish-only subscribers get its finish items without a parse, in either order of subscribing', async (t) => {
  const body = readFixture('upstream/openai/response.json');
  const unary = (b: Buffer, order: Array<'finish' | 'live'>, subscribeAfter = false) => {
    const lx = new LlmExchange({ clientApi: 'openai', operation: 'chat', pivot: async () => undefined });
    const got: Record<string, ResponseItem[]> = { finish: [], live: [] };
    const subscribe = () => { for (const k of order) lx.subscribe((i) => got[k]!.push(i), k === 'finish' ? { finishOnly: true } : {}); };
    if (!subscribeAfter) subscribe();
    tapUnary(lx, openai, cx, 200, {}, b);
    if (subscribeAfter) subscribe();
    lx.settle(settleCtx());
    return got;
  };
  const want = unary(body, ['live']).live.filter((i) => i.type === 'finish');
  t.same(want, [{ type: 'finish', choice: 0, reason: 'tool_calls' }]);
  for (const after of [false, true]) {
    t.same(unary(body, ['finish'], after).finish, want, `finish only (subscribed ${after ? 'after' : 'before'} the answer)`);
    const both = unary(body, ['finish', 'live'], after);
    t.same(both.finish, want, 'not repeated when a live subscriber reads the answer');
    t.same(both.live.filter((i) => i.type === 'finish'), want);
    t.same(unary(body, ['live', 'finish'], after).finish, want);
  }
  // Pretty-printed, two choices, and a value with an escape (read by parsing instead).
  const two = Buffer.from(JSON.stringify({ id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [
    { index: 0, message: { role: 'assistant', content: 'say \"finish_reason\": \"nope\"' }, finish_reason: 'stop' },
    { index: 1, message: { role: 'assistant', content: 'b' }, finish_reason: 'length' },
  ] }, null, 2));
  t.same(unary(two, ['finish']).finish.map((i) => i.type === 'finish' && [i.choice, i.reason]), [[0, 'stop'], [1, 'length']]);
  const escaped = Buffer.from('{"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"a"},"finish_reason":"st\\u006fp"}]}');
  t.same(unary(escaped, ['finish']).finish, [{ type: 'finish', choice: 0, reason: 'stop' }], 'an escaped value: parsed');
});
