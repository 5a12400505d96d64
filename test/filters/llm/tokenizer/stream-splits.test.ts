// A stream split at every byte boundary parses to the same usage — and, when the injected usage is stripped, the
// client receives the same bytes — for OpenAI (LF and CRLF), Anthropic and Gemini streams, identity and gzip.
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { LlmTokenUsage } from '../../../../core/index.js';
import { createWorkerPool } from '../../../../core/workers/index.js';
import { exchange, rig } from './harness.js';
import { request, type Api } from './requests.js';
import { anthropicStream, EXPECTED, geminiStream, openaiStream } from './upstream-shapes.js';

const pool = createWorkerPool({ threads: 1, maxQueue: 64 });
t.teardown(() => pool.close());

const cases: Array<[string, Api, (includeUsage: boolean) => string]> = [
  ['openai LF', 'openai', (u) => openaiStream({ includeUsage: u })],
  ['openai CRLF', 'openai', (u) => openaiStream({ includeUsage: u, crlf: true })],
  ['anthropic', 'anthropic', () => anthropicStream()],
  ['gemini', 'gemini', () => geminiStream()],
];

for (const [name, api, make] of cases) {
  t.test(`${name}: every split point gives the same usage and client bytes`, async (t) => {
    const r = await rig(pool, { estimate_missing_usage: false });
    const upstreamText = Buffer.from(make(true));
    const expectedClient = Buffer.from(make(false)); // what the client would get without the gateway
    const want = { ...EXPECTED[api], source: 'upstream' };
    let bad = 0;
    for (let i = 0; i <= upstreamText.length; i++) {
      const parts = [upstreamText.subarray(0, i), upstreamText.subarray(i)].filter((p) => p.length > 0);
      const { ctx, client } = await exchange(r, request(api, true), () => ({ headers: { 'content-type': 'text/event-stream' }, body: parts }));
      const usage = ctx.get(LlmTokenUsage);
      if (JSON.stringify(usage) !== JSON.stringify(want) || !client.equals(expectedClient)) {
        bad++;
        if (bad <= 3) t.fail(`split at ${i}`, { found: { usage, client: client.toString() }, wanted: { usage: want, client: expectedClient.toString() } });
      }
    }
    t.equal(bad, 0, `${upstreamText.length + 1} split points`);
  });
}

t.test('gzip: every split point of the compressed bytes gives the same usage', async (t) => {
  const r = await rig(pool, { estimate_missing_usage: false });
  const gz = gzipSync(Buffer.from(anthropicStream()));
  let bad = 0;
  for (let i = 0; i <= gz.length; i++) {
    const parts = [gz.subarray(0, i), gz.subarray(i)].filter((p) => p.length > 0);
    const { ctx, client } = await exchange(r, request('anthropic', true), () => ({
      headers: { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' },
      body: parts,
    }));
    if (JSON.stringify(ctx.get(LlmTokenUsage)) !== JSON.stringify({ ...EXPECTED.anthropic, source: 'upstream' }) || !client.equals(gz)) bad++;
  }
  t.equal(bad, 0, `${gz.length + 1} split points`);
});

t.test('one byte per chunk', async (t) => {
  const r = await rig(pool, { estimate_missing_usage: false });
  const text = Buffer.from(openaiStream({ includeUsage: true, crlf: true }));
  const bytes = Array.from({ length: text.length }, (_, i) => text.subarray(i, i + 1));
  const { ctx, client } = await exchange(r, request('openai', true), () => ({ headers: { 'content-type': 'text/event-stream' }, body: bytes }));
  t.same(ctx.get(LlmTokenUsage), { ...EXPECTED.openai, source: 'upstream' });
  t.equal(client.toString(), openaiStream({ includeUsage: false, crlf: true }));
});
