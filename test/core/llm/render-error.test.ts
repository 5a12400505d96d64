// Error bodies and stream error events per client API, and the LLM local-reply renderer that picks between them.
import t from 'tap';
import { DgpError } from '../../../core/index.js';
import { errorBodyFor, factsOf, renderLlmLocalReply, streamErrorEvent, streamStatus } from '../../../core/llm/index.js';
import { testContext } from '../../helpers/request-context.js';

const err = new DgpError('DGP_ERR_UPSTREAM_UNAVAILABLE', 'no endpoint answered', { hint: 'check the endpoints', details: { retry_after: 7 } });
const view = (path: string, query = '') => ({ id: 'req-1', request: { method: 'POST', path, query, headers: {} } });

t.test('unary bodies carry the code, the request id and the hint in the message', async (t) => {
  const f = factsOf(err, 'req-1');
  t.same(errorBodyFor('openai', f), {
    error: { message: 'no endpoint answered (check the endpoints)', type: 'server_error', param: null, code: 'DGP_ERR_UPSTREAM_UNAVAILABLE', request_id: 'req-1' },
  });
  t.same(errorBodyFor('anthropic', f), {
    type: 'error',
    error: { type: 'overloaded_error', message: 'no endpoint answered (check the endpoints)', code: 'DGP_ERR_UPSTREAM_UNAVAILABLE' },
    request_id: 'req-1',
  });
  t.same(errorBodyFor('gemini', f), {
    error: {
      code: 503,
      message: 'no endpoint answered (check the endpoints)',
      status: 'UNAVAILABLE',
      details: [
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '7s' },
        { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'DGP_ERR_UPSTREAM_UNAVAILABLE', domain: 'dgp-gateway', metadata: { request_id: 'req-1' } },
      ],
    },
  });
});

t.test("OpenAI's own type and code where it names the error itself (rate limits); the gateway code beside it", async (t) => {
  const limited = new DgpError('DGP_ERR_RATELIMIT_TOKENS', 'slow down', { status: 429, details: { retry_after: '2', openai_type: 'tokens', openai_code: 'rate_limit_exceeded' } });
  const f = factsOf(limited, 'req-2');
  t.same(errorBodyFor('openai', f), {
    error: { message: 'slow down', type: 'tokens', param: null, code: 'rate_limit_exceeded', dgp_code: 'DGP_ERR_RATELIMIT_TOKENS', request_id: 'req-2' },
  });
  t.match(errorBodyFor('anthropic', f), { type: 'error', error: { type: 'rate_limit_error', code: 'DGP_ERR_RATELIMIT_TOKENS' } }, 'other APIs keep their kind');
  t.match(errorBodyFor('gemini', f), { error: { code: 429, status: 'RESOURCE_EXHAUSTED', details: [{ retryDelay: '2s' }, { reason: 'DGP_ERR_RATELIMIT_TOKENS' }] } });
});

t.test('stream error events in each API stream format', async (t) => {
  const cut = factsOf(new DgpError('DGP_ERR_UPSTREAM_STREAM_CUT', 'cut'));
  t.equal(streamErrorEvent('openai', cut), 'data: {"error":{"message":"cut","type":"server_error","param":null,"code":"DGP_ERR_UPSTREAM_STREAM_CUT"}}\n\n');
  t.equal(streamErrorEvent('unknown', cut), streamErrorEvent('openai', cut), 'an unknown API gets OpenAI’s');
  t.equal(streamErrorEvent('anthropic', cut), 'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"cut","code":"DGP_ERR_UPSTREAM_STREAM_CUT"}}\n\n');
  t.equal(
    streamErrorEvent('gemini', cut, 'key=x&alt=sse'),
    'data: {"error":{"code":502,"message":"cut","status":"INTERNAL","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"DGP_ERR_UPSTREAM_STREAM_CUT","domain":"dgp-gateway"}]}}\r\n\r\n',
  );
  t.equal(streamErrorEvent('gemini', cut, ''), undefined, 'a JSON-array stream has no SSE event');
  t.same([streamStatus(200), streamStatus(529), streamStatus(504)], [500, 503, 504]);
});

t.test('renderLlmLocalReply: the path API under auto, the named one otherwise, nothing for pixiu', async (t) => {
  t.match(renderLlmLocalReply(view('/v1/messages'), err, 'auto'), { status: 503, headers: { 'content-type': 'application/json' }, body: { type: 'error' } });
  t.match(renderLlmLocalReply(view('/v1beta/models/m:generateContent'), err, 'auto'), {
    headers: { 'content-type': 'application/json; charset=UTF-8' },
    body: { error: { status: 'UNAVAILABLE' } },
  });
  t.match(renderLlmLocalReply(view('/healthz'), err, 'auto'), { body: { error: { type: 'server_error', request_id: 'req-1' } } }, 'unknown path: OpenAI');
  t.match(renderLlmLocalReply(view('/v1/messages'), err, 'gemini'), { body: { error: { code: 503 } } }, 'error_format fixes the shape');
  t.equal(renderLlmLocalReply(view('/v1/messages'), err, 'pixiu'), undefined);
  const ctx = testContext({ url: '/custom', clientApi: 'anthropic' });
  t.match(renderLlmLocalReply(ctx, err, 'auto'), { body: { type: 'error' } }, 'a request context: its client-route attribute decides');
});
