// The official SDKs read a blocked answer as a normal completion: OpenAI's stream and unary call end with
// finish_reason content_filter, Anthropic's with stop_reason refusal — no exception, no partial secret in the text.
// Output decisions are counted by rule and action, and a warn on a unary answer is named in x-dgp-guardrail-warn.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import t from 'tap';
import { startGateway, type TestGateway } from '../../../helpers/gateway.js';
import { metricValue } from '../../../e2e/providers/helpers.js';
import { ask, guardGatewayYaml, leaks, split, startPiecesUpstream, type PiecesUpstream } from './helpers.js';

const SECRET = 'ghp_' + 'Ab3dEf6hIj9lMn2pQr5tUv8xYz1bCd4fGh7j'.slice(0, 36);

let up: PiecesUpstream;
let gw: TestGateway;

t.before(async () => {
  up = await startPiecesUpstream();
  gw = await startGateway(
    guardGatewayYaml(
      `                    output:
                      - { check: secrets, action: block }
                      - { check: pii, entities: [email], action: warn }
                    stream_holdback_chars: 64`,
      up.port,
    ),
  );
});
t.teardown(async () => (await gw.close(), await up.close()));

t.test('OpenAI SDK: a blocked stream is a completion with finish_reason content_filter', async (t) => {
  up.script = { pieces: ['Your token: ', ...split(SECRET, 7), ' keep it safe.'] };
  const openai = new OpenAI({ apiKey: 'client', baseURL: `${gw.url()}/v1`, maxRetries: 0 });
  const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'token?' }], stream: true, stream_options: { include_usage: true } });
  let text = '';
  let finish: string | null | undefined;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? '';
    finish = chunk.choices[0]?.finish_reason ?? finish;
  }
  t.equal(finish, 'content_filter');
  t.notOk(leaks(text, SECRET));
  const unary = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'token?' }] });
  t.equal(unary.choices[0]!.finish_reason, 'content_filter');
  t.notOk(leaks(unary.choices[0]!.message.content ?? '', SECRET));
  t.equal(await metricValue(gw, 'dgp_guardrail_decisions_total', { rule: 'secrets', stage: 'output', action: 'block' }), 2);
});

t.test('Anthropic SDK: a blocked stream is a message with stop_reason refusal', async (t) => {
  up.script = { pieces: ['Your token: ', ...split(SECRET, 5), ' keep it safe.'] };
  const anthropic = new Anthropic({ apiKey: 'client', baseURL: gw.url(), maxRetries: 0 });
  const stream = anthropic.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'token?' }] });
  const message = await stream.finalMessage();
  t.equal(message.stop_reason, 'refusal');
  t.notOk(leaks(JSON.stringify(message.content), SECRET));
  const unary = await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'token?' }] });
  t.equal(unary.stop_reason, 'refusal');
});

t.test('warn on the answer: the text passes, the unary answer names the rule in the header', async (t) => {
  up.script = { pieces: ['Write to ops@example.com for access.'] };
  const r = await ask(gw.url(), 'openai', 'who?', false);
  t.equal(r.headers.get('x-dgp-guardrail-warn'), 'pii');
  t.match(r.text, /ops@example\.com/);
  const s = await ask(gw.url(), 'openai', 'who?', true);
  t.match(s.text, /ops@example\.com/);
  t.equal(await metricValue(gw, 'dgp_guardrail_decisions_total', { rule: 'pii', stage: 'output', action: 'warn' }), 2);
  t.equal(await metricValue(gw, 'dgp_guardrail_findings_total', { rule: 'pii', entity: 'email', stage: 'output' }), 2);
});
