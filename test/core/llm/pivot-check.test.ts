// The pivot checks between two codecs (core/llm/pivot-check.ts), as a client sees them: a request that translates to
// a malformed pivot is a coded 400 naming the field; a provider stream chunk or unary answer of the wrong shape is a
// coded error in the client's own format; a stream decoder's own bug shows no engine text. The fuzz corpus
// (test/fixtures/fuzz/translation, replayed by translation-fuzz.test.ts) holds the inputs that used to crash.
import t from 'tap';
import { isDgpError } from '../../../core/index.js';
import type { ProviderCodec } from '../../../core/llm/index.js';
import { translatedStream } from '../../../core/llm/stream.js';
import { exchange, recorder, translateStream } from '../../adapters/provider/helpers.js';

const chat = (extra: object) => ({ model: 'chat-default', messages: [{ role: 'user', content: 'hi' }], ...extra });
const chunk = (choices: unknown[]): string => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices })}\n\n`;

t.test('a request whose pivot is malformed: a coded 400 naming the field, whatever the provider', async (t) => {
  const cases: Array<[object, string]> = [
    [{ tools: [null] }, 'tools[0]: must be an object.'],
    [{ tools: { length: 1 } }, 'tools: must be an array.'],
    [{ tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: 'sometimes' }, 'tool_choice: must be none, auto, required or a function.'],
    [{ tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: { type: 'function' } }, 'tool_choice.function: must be an object.'],
    [{ messages: [{ role: 'system', content: { a: 1 } }] }, 'messages[0].content: must be an array.'],
    [{ messages: [{ role: 'assistant', content: '', tool_calls: [{ type: 'function', function: { name: 'f', arguments: '{}' } }] }] }, 'messages[0].tool_calls[0].id: must be a string.'],
    [{ model: 'gpt\ud800' }, 'model: is not a well-formed Unicode string.'],
  ];
  for (const provider of ['anthropic', 'gemini'] as const) {
    for (const [extra, message] of cases) {
      try {
        exchange({ clientApi: 'openai', provider, body: chat(extra) });
        t.fail(`${provider} ${message}: translated`);
      } catch (err) {
        t.ok(isDgpError(err), `${provider}: coded`);
        t.match(err, { code: 'DGP_ERR_PROVIDER_BAD_REQUEST', status: 400, message }, `${provider}: ${message}`);
      }
    }
  }
  const oddBlock = { model: 'm', max_tokens: 8, messages: [{ role: 'user', content: [{ type: { toString: 1 } }] }] };
  t.throws(() => exchange({ clientApi: 'anthropic', provider: 'openai', body: oddBlock }), { code: 'DGP_ERR_PROVIDER_UNTRANSLATABLE', message: /^messages\[0\]\.content\[0\] \(an object\): this content block/ }, 'an odd value is described, never "[object Object]"');
});

t.test('a provider chunk of the wrong shape: a coded error event in the client format; a missing delta reads as empty', async (t) => {
  const start = chunk([{ index: 0, delta: { role: 'assistant', content: 'Hi' }, finish_reason: null }]);
  const anthropic = exchange({ clientApi: 'anthropic', provider: 'openai', body: { model: 'm', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }, stream: true });
  const bad = translateStream(anthropic, [Buffer.from(start + chunk([{ index: 0, delta: { tool_calls: true }, finish_reason: null }]))]).toString();
  t.match(bad, /event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"The openai response could not be translated: chunk\.choices\[0\]\.delta\.tool_calls must be an array\."/);
  const gemini = exchange({ clientApi: 'gemini', provider: 'openai', body: { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }, stream: true });
  const ok = translateStream(gemini, [Buffer.from(start + chunk([{ index: 0, finish_reason: 'stop' }]) + 'data: [DONE]\n\n')]).toString();
  t.notMatch(ok, /error/, 'a choice without a delta is not an error');
  t.match(ok, '"finishReason":"STOP"');
});

t.test('a unary answer without a message: a coded 502, never a TypeError', async (t) => {
  const ex = exchange({ clientApi: 'gemini', provider: 'openai', body: { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] } });
  const body = Buffer.from(JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, finish_reason: 'stop' }] }));
  t.throws(() => ex.translateBody(200, { 'content-type': 'application/json' }, body), { code: 'DGP_ERR_PROVIDER_BAD_RESPONSE', status: 502, message: /choices\[0\]\.message must be an object/ });
});

t.test('a stream decoder bug: the client reads a plain sentence, the log has the error', async (t) => {
  const log = recorder();
  const cx = exchange({ clientApi: 'openai', provider: 'anthropic', body: chat({}), stream: true }).context;
  const decoder: ReturnType<ProviderCodec['upstream']['createDecoder']> = {
    write: () => {
      throw new TypeError("Cannot read properties of undefined (reading 'x')");
    },
    end: () => [],
  };
  const encoder = { write: (item: { type: string; error?: { message: string } }) => (item.type === 'error' ? `error: ${item.error!.message}\n` : ''), end: () => '' };
  const out = translatedStream(decoder, encoder, { ...cx, log }).feed(Buffer.from('data: {}\n\n')).toString();
  t.equal(out, 'error: The anthropic stream event could not be translated.\n');
  t.match(log.records[0], { level: 'warn', obj: { err: TypeError } });
});
