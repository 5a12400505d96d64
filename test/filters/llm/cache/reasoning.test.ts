// Reasoning survives the cache (LiteLLM #32068 lost it on stream hits): an OpenAI-compatible upstream streams
// `reasoning_content` before the text; the entry replays it as reasoning deltas to a streaming client and as
// `message.reasoning_content` to a unary one, with the text unchanged.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { startGateway } from '../../../helpers/gateway.js';
import { cacheGatewayYaml, post, question } from './helpers.js';

const REASONING = 'The user asks for a capital. France has Paris as its capital.';
const TEXT = 'Paris.';

async function reasoningUpstream(): Promise<{ port: number; count: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count++;
      const base = { id: 'chatcmpl-r', object: 'chat.completion.chunk', created: 1, model: 'deepseek-reasoner' };
      const chunk = (delta: object, finish: string | null = null) => `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk({ role: 'assistant', content: '' }));
      for (const w of REASONING.split(/(?<= )/)) res.write(chunk({ reasoning_content: w }));
      res.write(chunk({ content: TEXT }));
      res.write(chunk({}, 'stop'));
      res.write(`data: ${JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 9, completion_tokens: 20, total_tokens: 29, completion_tokens_details: { reasoning_tokens: 15 } } })}\n\n`);
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, count: () => count, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

t.test('reasoning is stored and replayed, streamed and unary', async (t) => {
  const up = await reasoningUpstream();
  const g = await startGateway(cacheGatewayYaml({ cache: '{scope: global}', clusters: { llm: [{ provider: 'deepseek', port: up.port }] } }));
  t.teardown(async () => (await g.close(), await up.close()));
  const url = `${g.url()}/v1/chat/completions`;
  const streamed = async () => {
    const r = await post(url, question({ model: 'deepseek-reasoner', stream: true }));
    let reasoning = '';
    let text = '';
    let pieces = 0;
    for (const line of (await r.text()).split('\n')) {
      if (!line.startsWith('data: {')) continue;
      const d = (JSON.parse(line.slice(6)) as { choices: Array<{ delta: { reasoning_content?: string; content?: string } }> }).choices[0]?.delta;
      if (d?.reasoning_content) (reasoning += d.reasoning_content), pieces++;
      text += d?.content ?? '';
    }
    return { cache: r.headers.get('x-dgp-cache'), reasoning, text, pieces };
  };
  const miss = await streamed();
  t.same([miss.cache, miss.reasoning, miss.text], ['MISS', REASONING, TEXT]);
  const hit = await streamed();
  t.same([hit.cache, hit.reasoning, hit.text], ['HIT', REASONING, TEXT], 'a stream hit carries the reasoning');
  t.ok(hit.pieces > 5, 'in word-sized deltas');
  const unary = await post(url, question({ model: 'deepseek-reasoner' }));
  const body = (await unary.json()) as { choices: Array<{ message: { content: string; reasoning_content?: string } }>; usage: { completion_tokens_details?: { reasoning_tokens?: number } } };
  t.equal(unary.headers.get('x-dgp-cache'), 'HIT');
  t.equal(body.choices[0]!.message.reasoning_content, REASONING, 'a unary hit carries it as message.reasoning_content');
  t.equal(body.choices[0]!.message.content, TEXT);
  t.equal(body.usage.completion_tokens_details?.reasoning_tokens, 15, 'and the reasoning tokens');
  t.equal(up.count(), 1);
});
