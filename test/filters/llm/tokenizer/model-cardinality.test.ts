// Clients cannot mint metric series (issue 19 item 4), through the real gateway (tokenizer + proxy, an OpenAI mock
// that echoes each model with a date suffix, as OpenAI does): 5,000 distinct client `model` strings leave /metrics under
// 1 MB; model labels are the configured models (model_map, options.model) and the ones the price book knows, every
// other model is `other`.
import t from 'tap';
import { request } from 'undici';
import { startGateway } from '../../../helpers/gateway.js';
import { gatewayYaml, startMock } from '../../../e2e/providers/helpers.js';

const DISTINCT = 5000;
const CONCURRENCY = 8;

t.test(`${DISTINCT} distinct client models: /metrics stays under 1 MB`, async (t) => {
  const mock = await startMock('openai', { text: 'ok', usage: { input: 3, output: 1 } });
  const gw = await startGateway(
    gatewayYaml([{ name: 'main', cluster: 'chat', endpoints: [{ id: 'ep', provider: 'openai', port: mock.port, extra: { model_map: { 'team-alias': 'gpt-4o-mini', '*': '*' } } }] }]),
  );
  t.teardown(async () => (await gw.close(), await mock.close()));
  const post = async (model: string): Promise<number> => {
    const res = await request(`${gw.url('main')}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
    await res.body.dump();
    return res.statusCode;
  };
  let failed = 0;
  for (let i = 0; i < DISTINCT; i += CONCURRENCY) {
    const codes = await Promise.all(Array.from({ length: CONCURRENCY }, (_, k) => post(`client-model-${i + k}-${Math.random().toString(36).slice(2)}`)));
    failed += codes.filter((c) => c !== 200).length;
  }
  for (const known of ['team-alias', 'gpt-4o-mini']) t.equal(await post(known), 200);
  t.equal(failed, 0, 'every request served');
  const text = await (await fetch(`${gw.adminUrl}/metrics`)).text();
  const bytes = Buffer.byteLength(text);
  t.ok(bytes < 1024 * 1024, `/metrics is ${(bytes / 1024).toFixed(1)} KiB`);
  t.notMatch(text, /client-model-/, 'no client-chosen model as a label');
  t.match(text, /pixiu_llm_prompt_tokens_total\{model="other",cluster_name="chat"\} 15000/, 'the unknown models add up under "other"');
  t.match(text, /dgp_llm_tokens_total\{direction="prompt",model="team-alias"/, 'a configured alias keeps its label');
  t.match(text, /dgp_llm_tokens_total\{direction="prompt",model="gpt-4o-mini/, 'a model the price book knows keeps its label');
});
