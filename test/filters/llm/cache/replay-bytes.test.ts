// A stream hit to an OpenAI client is spliced from a template per choice and field (no chunk object per word): its
// bytes must be exactly what the client encoder writes. Each event's JSON is checked to be JSON.stringify's own
// spelling (escapes of quotes, backslashes, control characters, U+2028 and lone surrogates included), in the
// encoder's key order, with `usage: null` on every chunk only when the request asked for usage; the official SDK
// reads the text back whole.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import t from 'tap';
import { startGateway } from '../../../helpers/gateway.js';
import { cacheGatewayYaml, post, question } from './helpers.js';

const REASONING = 'Think: "quoted" and back\\slash, tab\there.';
const TEXT = 'Say "hi" \\ to naïve 🐙 users,\nthen\u2028a line sep, a bell \u0007 and a lone \ud800 surrogate </script>.';

async function upstream(): Promise<{ port: number; count: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count++;
      const body = {
        id: 'chatcmpl-u',
        object: 'chat.completion',
        created: 1,
        model: 'gpt-4o-mini',
        choices: [{ index: 0, message: { role: 'assistant', content: TEXT, reasoning_content: REASONING }, logprobs: null, finish_reason: 'stop' }],
        usage: { prompt_tokens: 9, completion_tokens: 20, total_tokens: 29 },
      };
      // With its length: an answer of unknown length is passed through as it arrives and not recorded.
      const bytes = Buffer.from(JSON.stringify(body));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(bytes.length) }).end(bytes);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, count: () => count, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

t.test('an OpenAI stream hit has the client encoder bytes for every word', async (t) => {
  const up = await upstream();
  const g = await startGateway(cacheGatewayYaml({ cache: '{scope: global}', clusters: { llm: [{ provider: 'openai', port: up.port }] } }));
  t.teardown(async () => (await g.close(), await up.close()));
  const url = `${g.url()}/v1/chat/completions`;
  const miss = await post(url, question());
  t.equal(miss.headers.get('x-dgp-cache'), 'MISS');
  t.equal(((await miss.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content, TEXT);

  for (const includeUsage of [false, true]) {
    const r = await post(url, question({ stream: true, ...(includeUsage ? { stream_options: { include_usage: true } } : {}) }));
    t.equal(r.headers.get('x-dgp-cache'), 'HIT');
    const lines = (await r.text()).split('\n\n').filter((l) => l !== '');
    t.equal(lines.at(-1), 'data: [DONE]');
    let text = '';
    let reasoning = '';
    let textDeltas = 0;
    let id: string | undefined;
    for (const line of lines.slice(0, -1)) {
      t.ok(line.startsWith('data: {'), 'one data event per chunk');
      const payload = line.slice(6);
      const chunk = JSON.parse(payload) as { id: string; choices: Array<{ delta: { content?: string; reasoning_content?: string } }>; usage?: unknown };
      t.equal(payload, JSON.stringify(chunk), 'JSON.stringify spelling and key order');
      id ??= chunk.id;
      t.equal(chunk.id, id, 'one id per stream');
      if (chunk.choices.length === 0) {
        t.ok(includeUsage, 'a usage chunk only when asked');
        continue;
      }
      t.same(Object.keys(chunk), includeUsage ? ['id', 'object', 'created', 'model', 'choices', 'usage'] : ['id', 'object', 'created', 'model', 'choices']);
      if (includeUsage) t.equal(chunk.usage, null);
      const d = chunk.choices[0]!.delta;
      if (d.content) (text += d.content), textDeltas++;
      if (d.reasoning_content) reasoning += d.reasoning_content;
    }
    t.equal(text, TEXT, 'the text whole');
    t.equal(reasoning, REASONING);
    t.ok(textDeltas >= 10, `word-sized deltas (${textDeltas})`);
  }

  const client = new OpenAI({ apiKey: 'client', baseURL: `${g.url()}/v1`, maxRetries: 0 });
  const stream = await client.chat.completions.create({ ...question(), stream: true });
  let sdkText = '';
  for await (const c of stream) sdkText += c.choices[0]?.delta.content ?? '';
  t.equal(sdkText, TEXT, 'the official SDK reads the hit');
  t.equal(up.count(), 1);
});
