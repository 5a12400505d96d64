// The one detector of the client's API and operation from the path, and its per-request attribute.
import t from 'tap';
import { ClientRouteAttr, clientApiOf, clientRouteOf, detectClientApi, detectOperation } from '../../../core/llm/index.js';
import { testContext } from '../../helpers/request-context.js';

t.test('operations by path suffix, whatever the prefix; the API alone for other paths of an API', async (t) => {
  const cases: Array<[string, string, string | undefined]> = [
    ['/v1/chat/completions', 'openai', 'chat'],
    ['/openai/v1/chat/completions', 'openai', 'chat'],
    ['/v1/completions', 'openai', 'completions'],
    ['/v1/embeddings', 'openai', 'embeddings'],
    ['/v1/responses', 'openai', 'responses'],
    ['/openai/v1/responses', 'openai', 'responses'],
    ['/v1/responses/resp_1', 'openai', undefined],
    ['/v1/models', 'openai', 'models'],
    ['/v1/models/gpt-4o', 'openai', undefined],
    ['/v1/messages', 'anthropic', 'messages'],
    ['/v1/messages/count_tokens', 'anthropic', undefined],
    ['/v1beta/models/gemini-2.5-flash:generateContent', 'gemini', 'generateContent'],
    ['/v1beta/models/gemini-2.5-flash:streamGenerateContent', 'gemini', 'streamGenerateContent'],
    ['/v1beta/models', 'gemini', undefined],
    ['/healthz', 'unknown', undefined],
  ];
  for (const [path, api, operation] of cases) t.same(detectClientApi(path), { api, operation }, path);
  t.same(detectOperation('/v1/messages'), { api: 'anthropic', operation: 'messages' });
  t.equal(detectOperation('/v1beta/models'), undefined, 'no operation: undefined');
  t.equal(detectOperation('/healthz'), undefined);
});

t.test('clientApiOf detects once per request and honours an override', async (t) => {
  const ctx = testContext({ url: '/v1beta/models/g:generateContent?key=x' });
  t.equal(ctx.get(ClientRouteAttr), undefined);
  t.equal(clientApiOf(ctx), 'gemini');
  t.same(ctx.get(ClientRouteAttr), { api: 'gemini', operation: 'generateContent' }, 'cached in the attribute');
  const other = testContext({ url: '/custom/path', clientApi: 'anthropic' });
  t.equal(clientApiOf(other), 'anthropic', 'a filter (or test) may set the route');
  t.same(clientRouteOf(testContext({ url: '/x' })), { api: 'unknown', operation: undefined });
});
