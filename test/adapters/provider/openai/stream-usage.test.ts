// A filter that needs the final usage of a same-API OpenAI stream (StreamUsageWanted) while the client did not ask
// for it: the upstream is asked for include_usage, and the client reads byte for byte the stream it would have read
// without the gateway — the usage chunk gone, every "usage":null member cut — however the chunks are split.
import t from 'tap';
import { exchange, translateStream } from '../helpers.js';

const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true };
const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1741569952, model: 'gpt-4o-mini-2024-07-18', system_fingerprint: 'fp_1' };
/** The stream OpenAI sends, with or without include_usage (same bytes apart from the usage parts). */
function openAiStream(withUsage: boolean): Buffer {
  const chunk = (delta: object, finish: string | null = null) =>
    `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(withUsage ? { usage: null } : {}) })}\n\n`;
  const events = [chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hel' }), chunk({ content: 'lo "usage":null' }), chunk({}, 'stop')];
  if (withUsage) events.push(`data: ${JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } })}\n\n`);
  events.push('data: [DONE]\n\n');
  return Buffer.from(events.join(''));
}

t.test('the upstream is asked for usage; the client gets the stream it asked for, byte for byte', async (t) => {
  const ex = exchange({ clientApi: 'openai', provider: 'openai', body, wantUsage: true });
  t.ok(ex.passthrough);
  const sent = JSON.parse(ex.request.body!.toString()) as Record<string, unknown>;
  t.same(sent.stream_options, { include_usage: true }, 'include_usage sent upstream');
  t.equal(ex.request.headers['accept-encoding'], 'identity', 'the answer must arrive readable');
  const upstream = openAiStream(true);
  const whole = translateStream(ex, [upstream]);
  t.equal(whole.toString(), openAiStream(false).toString(), 'the usage chunk and the usage:null members are gone');
  // Split at every byte boundary: the output never depends on where the chunks were cut.
  for (let at = 1; at < upstream.length; at += 7) {
    const split = translateStream(exchange({ clientApi: 'openai', provider: 'openai', body, wantUsage: true }), [upstream.subarray(0, at), upstream.subarray(at)]);
    if (!split.equals(whole)) t.fail(`split at ${at} changed the bytes`);
  }
});

t.test('nothing changes when the client asked for usage, when no filter wants it, or for unary requests', async (t) => {
  const asked = { ...body, stream_options: { include_usage: true } };
  const own = exchange({ clientApi: 'openai', provider: 'openai', body: asked, wantUsage: true });
  t.equal(own.request.body!.toString(), JSON.stringify(asked), 'the request bytes go as the client sent them');
  t.equal(translateStream(own, [openAiStream(true)]).toString(), openAiStream(true).toString(), 'and so do the answer bytes');
  const unwanted = exchange({ clientApi: 'openai', provider: 'openai', body });
  t.equal(unwanted.request.body!.toString(), JSON.stringify(body));
  const unary = exchange({ clientApi: 'openai', provider: 'openai', body: { ...body, stream: false }, wantUsage: true });
  t.notMatch(unary.request.body!.toString(), 'stream_options');
});

t.test('with a mapped model: relabelled events, still without the usage the client did not ask for', async (t) => {
  const ex = exchange({ clientApi: 'openai', provider: 'openai', body: { ...body, model: 'fast' }, wantUsage: true, llmMeta: { model_map: { fast: 'gpt-4o-mini' } } });
  const sent = JSON.parse(ex.request.body!.toString()) as Record<string, unknown>;
  t.same([sent.model, sent.stream_options], ['gpt-4o-mini', { include_usage: true }]);
  const out = translateStream(ex, [openAiStream(true)]).toString();
  t.notMatch(out, '"usage"', 'no usage member in any event');
  t.equal(out.match(/"model":"fast"/g)?.length, 4, 'every chunk names the alias');
  t.match(out, 'lo \\"usage\\":null', 'text that looks like the member is left alone');
});
