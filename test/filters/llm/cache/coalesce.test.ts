// Coalescing: 50 identical requests in flight at once make exactly one upstream call, unary and streamed (followers
// get the leader's answer in their own API and framing); a leader cut before its followers received anything releases
// them, and they elect a new leader among themselves instead of receiving the leader's failure. Streaming followers
// attached to the leader's live answer: live-coalesce.test.ts.
import t from 'tap';
import { startMockOpenAi } from '../../../helpers/mock-providers/index.js';
import { startGateway, type TestGateway } from '../../../helpers/gateway.js';
import { anthropicClient, metricValue, openAiClient } from '../../../e2e/providers/helpers.js';
import { streamingLeader, cacheGatewayYaml, post, question } from './helpers.js';

const ANSWER = 'Paris is the capital of France and its largest city.';

function sseText(body: string): string {
  let text = '';
  for (const line of body.split('\n')) {
    if (!line.startsWith('data: {')) continue;
    const c = JSON.parse(line.slice(6)) as { choices: Array<{ delta: { content?: string } }> };
    text += c.choices[0]?.delta.content ?? '';
  }
  return text;
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const waiting = (g: TestGateway) => metricValue(g, 'dgp_cache_coalesce_waiting', {}).then(async () => {
  const text = await (await fetch(`${g.adminUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('dgp_cache_coalesce_waiting '));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
});

t.test('50 identical concurrent requests, unary and streamed, make one upstream call each', async (t) => {
  let release!: () => void;
  let gate = new Promise<void>((r) => (release = r));
  const up = await startMockOpenAi({ reply: { text: ANSWER, usage: { input: 10, output: 11 } }, gate: () => gate });
  const g = await startGateway(cacheGatewayYaml({ cache: '{scope: global}', clusters: { llm: [{ provider: 'openai', port: up.port }] } }));
  t.teardown(async () => (release(), await g.close(), await up.close()));
  const url = `${g.url()}/v1/chat/completions`;

  const unary = Array.from({ length: 50 }, () => post(url, question()).then(async (r) => ({ cache: r.headers.get('x-dgp-cache'), body: (await r.json()) as { choices: Array<{ message: { content: string } }> } })));
  await until('49 followers', async () => (await waiting(g)) === 49);
  t.equal(up.requests.length, 1, 'only the leader reached the upstream');
  release();
  const answers = await Promise.all(unary);
  t.ok(answers.every((a) => a.body.choices[0]!.message.content === ANSWER), 'every caller got the answer');
  t.same(answers.map((a) => a.cache).sort(), ['MISS', ...Array(49).fill('COALESCED')].sort());

  gate = new Promise<void>((r) => (release = r));
  const oa = openAiClient(g.url());
  const an = anthropicClient(g.url());
  const streamQ = { ...question(), messages: [{ role: 'user' as const, content: 'Name the capital of France.' }] };
  const openAiStream = async () => {
    let text = '';
    for await (const c of await oa.chat.completions.create({ ...streamQ, stream: true })) text += c.choices[0]?.delta.content ?? '';
    return text;
  };
  const anthropicStream = async () => {
    let text = '';
    const s = await an.messages.create({ model: 'gpt-4o-mini', max_tokens: 64, messages: streamQ.messages, stream: true });
    for await (const ev of s) if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') text += ev.delta.text;
    return text;
  };
  const streams = Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? openAiStream() : anthropicStream()));
  await until('49 streaming followers', async () => (await waiting(g)) === 49);
  release();
  const texts = await Promise.all(streams);
  t.ok(texts.every((x) => x === ANSWER), 'every stream, OpenAI and Anthropic, carried the whole answer');
  t.equal(up.requests.length, 2, 'one more upstream call for 50 streams');
  t.equal(await metricValue(g, 'dgp_cache_requests_total', { outcome: 'coalesced' }), 98);
});

t.test('a leader cut before its followers received anything releases them; they elect a new leader', async (t) => {
  const { up, g, url, ac } = await streamingLeader(t);
  // Unary followers wait for the whole answer: none of them has received a byte when the leader's client leaves.
  const followers = Array.from({ length: 5 }, () => post(url, question()).then(async (r) => ({ status: r.status, cache: r.headers.get('x-dgp-cache'), body: (await r.json()) as { choices: Array<{ message: { content: string } }> } })));
  await until('5 followers', async () => (await waiting(g)) === 5);
  ac.abort();
  const got = await Promise.all(followers);
  t.ok(got.every((f) => f.status === 200), 'no follower got the leader\'s failure');
  t.ok(got.every((f) => f.body.choices[0]!.message.content === 'word '.repeat(30)), 'each got a whole answer');
  t.same(got.map((f) => f.cache).sort(), ['COALESCED', 'COALESCED', 'COALESCED', 'COALESCED', 'MISS'], 'one of them led the second call, the others waited for it');
  t.equal(up.count, 2, 'the cut leader and the new leader');
  await until('the upstream saw the cut', async () => up.aborted === 1);
  const after = await post(url, question({ stream: true }));
  t.equal(after.headers.get('x-dgp-cache'), 'HIT', 'the new leader\'s answer was stored (the cut one was not) and serves a stream');
  t.equal(sseText(await after.text()), 'word '.repeat(30));
});

t.test('a follower stops waiting after coalesce_wait and goes upstream itself', async (t) => {
  let n = 0;
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const up = await startMockOpenAi({ reply: { text: ANSWER }, gate: () => (n++ === 0 ? held : Promise.resolve()) });
  const g = await startGateway(cacheGatewayYaml({ cache: '{scope: global, coalesce_wait: 300ms}', clusters: { llm: [{ provider: 'openai', port: up.port }] } }));
  t.teardown(async () => (release(), await g.close(), await up.close()));
  const url = `${g.url()}/v1/chat/completions`;
  const leader = post(url, question());
  await until('the leader upstream', async () => up.requests.length === 1);
  const started = Date.now();
  const follower = await post(url, question());
  const body = (await follower.json()) as { choices: Array<{ message: { content: string } }> };
  const waited = Date.now() - started;
  t.equal(follower.headers.get('x-dgp-cache'), 'MISS', 'served by its own upstream call');
  t.equal(body.choices[0]!.message.content, ANSWER);
  t.ok(waited >= 250 && waited < 2000, `after about coalesce_wait (${waited} ms), not three rounds of it`);
  release();
  t.equal((await leader).status, 200);
});
