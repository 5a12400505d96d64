// Streaming followers receive the leader's answer live: 50 identical streams make one upstream call and the followers'
// first events arrive while the upstream is still generating; a leader whose client leaves mid-stream keeps its
// upstream call for the attached followers, which get complete answers and no error; an upstream that fails before
// its first byte releases the followers, which are served by an upstream call of their own.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import t from 'tap';
import { startMockOpenAi, type ReceivedRequest } from '../../../helpers/mock-providers/index.js';
import { startGateway, type TestGateway } from '../../../helpers/gateway.js';
import { anthropicClient, metricValue } from '../../../e2e/providers/helpers.js';
import { streamingLeader, cacheGatewayYaml, geminiText, plainMetric, post, question } from './helpers.js';

const ANSWER = 'Paris is the capital of France and its largest city by far.';

function sseText(body: string): string {
  let text = '';
  for (const line of body.split('\n')) {
    if (!line.startsWith('data: {')) continue;
    const c = JSON.parse(line.slice(6)) as { choices?: Array<{ delta: { content?: string } }> };
    text += c.choices?.[0]?.delta.content ?? '';
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

const waiting = (g: TestGateway) => plainMetric(g.adminUrl, 'dgp_cache_coalesce_waiting');

/** A streamed request read chunk by chunk: its status, cache outcome, body and when its first body byte arrived. */
async function streamed(url: string, body: unknown) {
  const res = await post(url, body);
  const reader = res.body!.getReader();
  let text = '';
  let firstAt: number | undefined;
  const dec = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    firstAt ??= performance.now();
    text += dec.decode(value, { stream: true });
  }
  return { status: res.status, cache: res.headers.get('x-dgp-cache'), text, firstAt: firstAt ?? Infinity };
}

t.test('50 identical streams: one upstream call, followers get their first event before the upstream finished', async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let lastSentAt = Infinity;
  const up = await startMockOpenAi({
    reply: { text: ANSWER, usage: { input: 9, output: 12 }, gapMs: 60, onEvent: (i, n) => void (i === n - 1 && (lastSentAt = performance.now())) },
    gate: () => gate,
  });
  const g = await startGateway(cacheGatewayYaml({ cache: '{scope: global}', clusters: { llm: [{ provider: 'openai', port: up.port }] } }));
  t.teardown(async () => (release(), await g.close(), await up.close()));
  const url = `${g.url()}/v1/chat/completions`;
  const an = anthropicClient(g.url());
  const body = question({ stream: true, stream_options: { include_usage: true } });
  const leader = streamed(url, body);
  await until('the leader upstream', async () => up.requests.length === 1);
  const openAi = [leader, ...Array.from({ length: 39 }, () => streamed(url, body))];
  // Anthropic clients asking the same question meet on the same flight and get Anthropic's event sequence, live.
  const anthropic = Array.from({ length: 10 }, async () => {
    const s = await an.messages.create({ model: 'gpt-4o-mini', max_tokens: 64, system: 'Be brief.', messages: [{ role: 'user', content: 'What is the capital of France?' }], stream: true });
    let text = '';
    let firstAt = Infinity;
    const types: string[] = [];
    for await (const ev of s) {
      types.push(ev.type);
      if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') (firstAt = Math.min(firstAt, performance.now())), (text += ev.delta.text);
    }
    return { text, firstAt, types };
  });
  await until('49 followers', async () => (await waiting(g)) === 49);
  release();
  const oa = await Promise.all(openAi);
  const ant = await Promise.all(anthropic);
  t.equal(up.requests.length, 1, 'exactly one upstream call for 50 streams');
  t.ok(oa.every((r) => r.status === 200 && sseText(r.text) === ANSWER), 'every OpenAI stream carried the whole answer');
  t.ok(oa.every((r) => r.text.trimEnd().endsWith('data: [DONE]')), 'each ends with [DONE]');
  t.ok(oa.every((r) => /"usage":\{"prompt_tokens":9,"completion_tokens":12/.test(r.text)), 'each asked for usage and got the leader\'s');
  t.ok(ant.every((r) => r.text === ANSWER && r.types[0] === 'message_start' && r.types.at(-1) === 'message_stop'), 'every Anthropic stream carried the answer in Anthropic events');
  t.equal(oa[0]!.cache, 'MISS', 'the first one led');
  const followers = oa.slice(1);
  t.ok(followers.every((r) => r.cache === 'COALESCED'), 'the others followed');
  t.ok(lastSentAt < Infinity, 'the upstream sent its last event');
  t.ok(followers.every((r) => r.firstAt < lastSentAt), 'every follower received its first bytes before the upstream sent its last event');
  t.ok(ant.every((r) => r.firstAt < lastSentAt), 'the Anthropic followers too');
  t.equal(await metricValue(g, 'dgp_cache_requests_total', { outcome: 'coalesced' }), 49);
});

t.test('the leader\'s client leaving mid-stream: attached followers still get complete answers, and no error', async (t) => {
  const { up, url, ac } = await streamingLeader(t);
  let received = 0;
  const followers = Array.from({ length: 5 }, async () => {
    const res = await post(url, question({ stream: true }));
    const r = res.body!.getReader();
    let text = '';
    const dec = new TextDecoder();
    for (let first = true; ; first = false) {
      const { done, value } = await r.read();
      if (done) break;
      if (first) received++;
      text += dec.decode(value, { stream: true });
    }
    return { status: res.status, cache: res.headers.get('x-dgp-cache'), text };
  });
  await until('every follower received bytes', async () => received === 5);
  ac.abort();
  const got = await Promise.all(followers);
  t.ok(got.every((f) => f.status === 200 && f.cache === 'COALESCED'), 'all five followed the leader');
  t.ok(got.every((f) => sseText(f.text) === 'word '.repeat(30)), 'each got the whole answer');
  t.ok(got.every((f) => !f.text.includes('"error"') && f.text.trimEnd().endsWith('data: [DONE]')), 'no error event; each stream ended cleanly');
  t.equal(up.count, 1, 'one upstream call: it outlived the leader\'s client');
  t.equal(up.aborted, 0, 'the upstream stream was not cut');
  const after = await post(url, question());
  t.equal(after.headers.get('x-dgp-cache'), 'HIT', 'the answer read to its end for the followers was stored');
  t.equal(((await after.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content, 'word '.repeat(30));
});

t.test('the leader\'s client leaving with no follower attached cuts the upstream (nothing is generated for nobody)', async (t) => {
  const { up, ac } = await streamingLeader(t);
  ac.abort();
  await until('the upstream saw the cut', async () => up.aborted === 1);
  t.pass();
});

t.test('an upstream failing before its first byte releases the streaming followers to their own upstream call', async (t) => {
  let n = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const reply = (_r: ReceivedRequest) => (n++ === 0 ? { error: { status: 500, body: { error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } } } } : { text: ANSWER, gapMs: 10 });
  const up = await startMockOpenAi({ reply, gate: () => (n === 0 ? gate : Promise.resolve()) });
  const g = await startGateway(cacheGatewayYaml({ cache: '{scope: global}', clusters: { llm: [{ provider: 'openai', port: up.port }] } }));
  t.teardown(async () => (release(), await g.close(), await up.close()));
  const url = `${g.url()}/v1/chat/completions`;
  const leader = post(url, question({ stream: true })).then(async (r) => ({ status: r.status, text: await r.text() }));
  await until('the leader upstream', async () => up.requests.length === 1);
  const followers = Array.from({ length: 5 }, () => streamed(url, question({ stream: true })));
  await until('5 followers', async () => (await waiting(g)) === 5);
  release();
  const l = await leader;
  t.equal(l.status, 500, 'the leader got the upstream\'s failure');
  const got = await Promise.all(followers);
  t.ok(got.every((f) => f.status === 200 && sseText(f.text) === ANSWER), 'every follower got a whole answer, none the failure');
  t.same(got.map((f) => f.cache).sort(), ['COALESCED', 'COALESCED', 'COALESCED', 'COALESCED', 'MISS'], 'one of them led a second call, the others followed it');
  t.equal(up.requests.length, 2);
});

t.test('live followers get tool calls (OpenAI, Anthropic) and text (Gemini alt=sse) in their own framing', async (t) => {
  let release!: () => void;
  let gate = new Promise<void>((r) => (release = r));
  const tools = [{ type: 'function' as const, function: { name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }];
  const up = await startMockOpenAi({
    reply: (r) => ((r.body as { tools?: unknown }).tools === undefined ? { text: ANSWER, gapMs: 20 } : { toolCalls: [{ id: 'call_w1', name: 'get_weather', args: { city: 'Paris' } }], gapMs: 20 }),
    gate: () => gate,
  });
  const g = await startGateway(cacheGatewayYaml({ cache: '{scope: global}', clusters: { llm: [{ provider: 'openai', port: up.port }] } }));
  t.teardown(async () => (release(), await g.close(), await up.close()));
  const url = `${g.url()}/v1/chat/completions`;
  const calls = (text: string) => {
    const out: Record<number, { id?: string; name: string; args: string }> = {};
    for (const line of text.split('\n')) {
      if (!line.startsWith('data: {')) continue;
      for (const tc of (JSON.parse(line.slice(6)) as { choices: Array<{ delta: { tool_calls?: Array<{ index: number; id?: string; function?: { name?: string; arguments?: string } }> } }> }).choices[0]?.delta.tool_calls ?? []) {
        const c = (out[tc.index] ??= { name: '', args: '' });
        if (tc.id !== undefined) c.id = tc.id;
        c.name += tc.function?.name ?? '';
        c.args += tc.function?.arguments ?? '';
      }
    }
    return Object.values(out);
  };
  const leader = streamed(url, question({ stream: true, tools }));
  await until('the leader upstream', async () => up.requests.length === 1);
  const oa = Array.from({ length: 3 }, () => streamed(url, question({ stream: true, tools })));
  const an = anthropicClient(g.url());
  const anthropic = an.messages.create({ model: 'gpt-4o-mini', max_tokens: 64, system: 'Be brief.', tools: [{ name: 'get_weather', description: 'Weather of a city', input_schema: tools[0]!.function.parameters as { type: 'object' } }], messages: [{ role: 'user', content: 'What is the capital of France?' }], stream: true });
  const anthropicCall = (async () => {
    let args = '';
    let name = '';
    for await (const ev of await anthropic) {
      if (ev.type === 'content_block_start' && ev.content_block.type === 'tool_use') name = ev.content_block.name;
      if (ev.type === 'content_block_delta' && ev.delta.type === 'input_json_delta') args += ev.delta.partial_json;
    }
    return { name, args: JSON.parse(args) as unknown };
  })();
  await until('4 followers', async () => (await waiting(g)) === 4);
  release();
  const [l, ...fs] = await Promise.all([leader, ...oa]);
  t.same(calls(l!.text), [{ id: 'call_w1', name: 'get_weather', args: '{"city":"Paris"}' }]);
  for (const f of fs) {
    t.equal(f.cache, 'COALESCED');
    t.same(calls(f.text), [{ id: 'call_w1', name: 'get_weather', args: '{"city":"Paris"}' }], 'the same tool call, live');
    t.match(f.text, /"finish_reason":"tool_calls"/);
  }
  t.same(await anthropicCall, { name: 'get_weather', args: { city: 'Paris' } }, 'Anthropic: a tool_use block with the same input');

  gate = new Promise<void>((r) => (release = r));
  const text = question({ stream: true, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Which river runs through Paris?' }] });
  const textLeader = streamed(url, text);
  await until('the second leader upstream', async () => up.requests.length === 2);
  const gem = fetch(`${g.url()}/v1beta/models/gpt-4o-mini:streamGenerateContent?alt=sse`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-api-key': 'client' },
    body: JSON.stringify({ systemInstruction: { parts: [{ text: 'Be brief.' }] }, contents: [{ role: 'user', parts: [{ text: 'Which river runs through Paris?' }] }], generationConfig: { maxOutputTokens: 64 } }),
  }).then(async (r) => ({ cache: r.headers.get('x-dgp-cache'), type: r.headers.get('content-type'), body: await r.text() }));
  await until('the Gemini follower', async () => (await waiting(g)) === 1);
  release();
  await textLeader;
  const gm = await gem;
  t.equal(gm.cache, 'COALESCED');
  t.match(gm.type, /text\/event-stream/);
  t.equal(geminiText(gm.body), ANSWER, 'Gemini alt=sse events carry the leader\'s text');
  t.equal(up.requests.length, 2);
});

t.test('an upstream that breaks off after followers received bytes: each gets an error event in its API, nothing is stored', async (t) => {
  let count = 0;
  const base = { id: 'chatcmpl-cut', object: 'chat.completion.chunk', created: 1741569952, model: 'gpt-4o-mini', system_fingerprint: 'fp_cut' };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count++;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      let i = 0;
      const tick = (): void => {
        if (i++ < 10) {
          res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: i === 1 ? { role: 'assistant', content: '' } : { content: 'word ' }, logprobs: null, finish_reason: null }] })}\n\n`);
          setTimeout(tick, 40);
        } else res.destroy();
      };
      tick();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const g = await startGateway(cacheGatewayYaml({ cache: '{scope: global}', clusters: { llm: [{ provider: 'openai', port }] } }));
  t.teardown(async () => (await g.close(), server.closeAllConnections(), await new Promise((r) => server.close(r))));
  const url = `${g.url()}/v1/chat/completions`;
  const read = async (res: Response) => {
    let text = '';
    let cut = false;
    try {
      text = await res.text();
    } catch {
      cut = true;
    }
    return { cache: res.headers.get('x-dgp-cache'), text, cut };
  };
  const leaderRes = await post(url, question({ stream: true }));
  const leader = read(leaderRes);
  let got = 0;
  const followers = Array.from({ length: 2 }, async () => {
    const res = await post(url, question({ stream: true }));
    const r = res.body!.getReader();
    let text = '';
    let cut = false;
    try {
      for (;;) {
        const { done, value } = await r.read();
        if (done) break;
        if (text === '') got++;
        text += new TextDecoder().decode(value);
      }
    } catch {
      cut = true;
    }
    return { cache: res.headers.get('x-dgp-cache'), text, cut };
  });
  await until('both followers received bytes', async () => got === 2);
  const fs = await Promise.all(followers);
  await leader;
  t.equal(count, 1, 'one upstream call');
  for (const f of fs) {
    t.equal(f.cache, 'COALESCED');
    t.match(sseText(f.text), /^(word )+$/, 'the words the upstream sent before it broke off');
    t.match(f.text, /data: \{"error":\{/, 'then an error event in OpenAI\'s shape');
    t.notMatch(f.text, /\[DONE\]/, 'never a clean end');
  }
  const after = await read(await post(url, question({ stream: true })));
  t.equal(after.cache, 'MISS', 'the cut answer was not stored');
});
