// The semantic layer with the built-in lexical embedder: after an exact miss, a reworded question with the same
// numbers hits at a tuned threshold (x-dgp-cache: HIT_SEMANTIC, x-dgp-cache-similarity), across client APIs; the
// guards refuse "turn on" vs "turn off", "3" vs "4" and another named entity even above the threshold; a client may
// raise the threshold, not lower it; a hit reported wrong is evicted and counted. Off by default.
import t from 'tap';
import { startMockOpenAi } from '../../../helpers/mock-providers/index.js';
import { startGateway } from '../../../helpers/gateway.js';
import { JSON_TYPE, adminRequest } from '../../../helpers/admin-call.js';
import { anthropicClient, metricValue } from '../../../e2e/providers/helpers.js';
import { cacheGatewayYaml, post } from './helpers.js';

const ask = (text: string) => ({ model: 'gpt-4o-mini', max_tokens: 64, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: text }] });

t.test('paraphrases hit; guards refuse opposite and different questions', async (t) => {
  let n = 0;
  const up = await startMockOpenAi({ reply: () => ({ text: `answer ${++n}` }) });
  const g = await startGateway(cacheGatewayYaml({ cache: '{scope: global, semantic: {enabled: true, threshold: 0.8}}', clusters: { llm: [{ provider: 'openai', port: up.port }] } }));
  t.teardown(async () => (await g.close(), await up.close()));
  const url = `${g.url()}/v1/chat/completions`;
  const send = async (text: string, headers: Record<string, string> = {}) => {
    const r = await post(url, ask(text), headers);
    const j = (await r.json()) as { choices: Array<{ message: { content: string } }> };
    return { cache: r.headers.get('x-dgp-cache'), similarity: r.headers.get('x-dgp-cache-similarity'), text: j.choices[0]!.message.content, id: r.headers.get('x-request-id')! };
  };
  t.equal((await send('How many days are in 3 weeks?')).cache, 'MISS');
  const an = anthropicClient(g.url());
  const para = await an.messages.create({ model: 'gpt-4o-mini', max_tokens: 64, system: 'Be brief.', messages: [{ role: 'user', content: 'In 3 weeks, how many days are there?' }] }).withResponse();
  t.equal(para.response.headers.get('x-dgp-cache'), 'HIT_SEMANTIC', 'a reworded question with the same number hits, from another client API');
  const sim = Number(para.response.headers.get('x-dgp-cache-similarity'));
  t.ok(sim >= 0.8 && sim < 1, `similarity reported (${sim})`);
  t.equal((para.data.content[0] as { text: string }).text, 'answer 1');

  const four = await send('How many days are in 4 weeks?');
  t.same([four.cache, four.text], ['MISS', 'answer 2'], '3 vs 4 never hits (numbers guard; similarity 0.83 is above the threshold)');
  t.equal((await send('How do I turn on dark mode in the settings?')).cache, 'MISS');
  const off = await send('How do I turn off dark mode in the settings?');
  t.same([off.cache, off.text], ['MISS', 'answer 4'], 'turn on vs turn off never hits (negation guard; similarity 0.88)');
  t.equal((await send('What is the capital of France?')).cache, 'MISS');
  t.equal((await send('What is the capital of Spain?')).cache, 'MISS', 'another named entity never hits');

  const lowered = await send('days in 3 weeks', { 'x-dgp-cache-threshold': '0.5' });
  t.equal(lowered.cache, 'MISS', 'but not lower it (0.70 < 0.8)');

  const again = await send('In 3 weeks how many days are there');
  t.equal(again.cache, 'HIT_SEMANTIC');
  const port = Number(new URL(g.adminUrl).port);
  const fb = await adminRequest(port, '/admin/v1/cache/feedback', { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ request_id: again.id, verdict: 'wrong' }) });
  t.equal(fb.status, 200);
  t.equal(await metricValue(g, 'dgp_cache_semantic_false_hits_total', {}).then(async () => {
    const line = (await (await fetch(`${g.adminUrl}/metrics`)).text()).split('\n').find((l) => l.startsWith('dgp_cache_semantic_false_hits_total '));
    return Number(line?.split(' ')[1]);
  }), 1, 'counted');
  t.equal((await send('In 3 weeks, how many days are there?')).cache, 'MISS', 'the wrong entry is gone');
  const raised = await send('how many days in 3 weeks', { 'x-dgp-cache-threshold': '0.95' });
  t.equal(raised.cache, 'MISS', 'a client may raise the threshold (below 0.95)');
  const unknown = await adminRequest(port, '/admin/v1/cache/feedback', { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ request_id: 'nope', verdict: 'wrong' }) });
  t.equal(unknown.status, 400);
});

t.test('the semantic layer is off by default', async (t) => {
  const up = await startMockOpenAi({ reply: { text: 'Twenty-one.' } });
  const g = await startGateway(cacheGatewayYaml({ cache: '{scope: global}', clusters: { llm: [{ provider: 'openai', port: up.port }] } }));
  t.teardown(async () => (await g.close(), await up.close()));
  const url = `${g.url()}/v1/chat/completions`;
  await (await post(url, ask('How many days are in 3 weeks?'))).text();
  const r = await post(url, ask('how many days are in 3 weeks'));
  await r.text();
  t.equal(r.headers.get('x-dgp-cache'), 'MISS');
  t.equal(up.requests.length, 2);
});
