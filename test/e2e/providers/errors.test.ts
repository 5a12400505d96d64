// Provider errors through the REAL gateway: 401, 429 with Retry-After, 400 invalid request and overload (Anthropic 529,
// the others 503), each written by the mock in its provider's own error format, must reach the official `openai` and
// `@anthropic-ai/sdk` clients as their own API's error class, with the right status and Retry-After, unary and streamed.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import t from 'tap';
import { startGateway } from '../../helpers/gateway.js';
import type { MockProvider, MockReply } from '../../helpers/mock-providers/index.js';
import { PROVIDERS, anthropicClient, gatewayYaml, openAiClient, startMock, type Provider } from './helpers.js';

type Case = 'auth' | 'rate' | 'invalid' | 'overloaded';
const CASES: readonly Case[] = ['auth', 'rate', 'invalid', 'overloaded'];

const openAiErrors: Record<Case, MockReply['error']> = {
  auth: { status: 401, body: { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } } },
  rate: { status: 429, headers: { 'retry-after': '7' }, body: { error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } } },
  invalid: { status: 400, body: { error: { message: "Invalid 'messages'.", type: 'invalid_request_error', param: 'messages', code: null } } },
  overloaded: { status: 503, body: { error: { message: 'The engine is currently overloaded.', type: 'server_error', param: null, code: null } } },
};
const anthropicError = (type: string, message: string) => ({ type: 'error', error: { type, message }, request_id: 'req_1' });
const geminiError = (code: number, status: string, message: string, details?: object[]) => ({ error: { code, message, status, ...(details ? { details } : {}) } });

const ERRORS: Record<Provider, Record<Case, MockReply['error']>> = {
  openai: openAiErrors,
  'azure-openai': openAiErrors,
  anthropic: {
    auth: { status: 401, body: anthropicError('authentication_error', 'invalid x-api-key') },
    rate: { status: 429, headers: { 'retry-after': '7' }, body: anthropicError('rate_limit_error', 'Number of request tokens has exceeded your rate limit') },
    invalid: { status: 400, body: anthropicError('invalid_request_error', 'messages: text content blocks must be non-empty') },
    overloaded: { status: 529, body: anthropicError('overloaded_error', 'Overloaded') },
  },
  gemini: {
    // Gemini answers a wrong key with 400 API_KEY_INVALID: clients of other APIs must see a 401.
    auth: { status: 400, body: geminiError(400, 'INVALID_ARGUMENT', 'API key not valid.', [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }]) },
    rate: { status: 429, body: geminiError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded', [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '6.5s' }]) },
    invalid: { status: 400, body: geminiError(400, 'INVALID_ARGUMENT', 'Invalid value at contents[0].role') },
    overloaded: { status: 503, body: geminiError(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.') },
  },
};

const OPENAI_CLASS = { auth: OpenAI.AuthenticationError, rate: OpenAI.RateLimitError, invalid: OpenAI.BadRequestError, overloaded: OpenAI.InternalServerError };
const ANTHROPIC_CLASS = { auth: Anthropic.AuthenticationError, rate: Anthropic.RateLimitError, invalid: Anthropic.BadRequestError, overloaded: Anthropic.InternalServerError };
const OPENAI_STATUS = { auth: 401, rate: 429, invalid: 400, overloaded: 503 };
const ANTHROPIC_STATUS = { auth: 401, rate: 429, invalid: 400, overloaded: 529 };

const MESSAGES = [{ role: 'user' as const, content: 'Hello' }];

t.test('provider errors reach each SDK as its own API error', async (t) => {
  const mocks = {} as Record<Provider, MockProvider>;
  for (const p of PROVIDERS) mocks[p] = await startMock(p, (req) => ({ error: ERRORS[p][String(req.headers['x-mock-error']) as Case] }));
  const gw = await startGateway(gatewayYaml(PROVIDERS.map((p) => ({ name: p, cluster: `c-${p}`, endpoints: [{ id: `ep-${p}`, provider: p, port: mocks[p].port }] }))));
  t.teardown(async () => {
    await gw.close();
    for (const m of Object.values(mocks)) await m.close();
  });

  for (const provider of PROVIDERS) {
    const oa = openAiClient(gw.url(provider));
    const an = anthropicClient(gw.url(provider));
    for (const c of CASES) {
      for (const stream of [false, true]) {
        const label = `${provider} ${c}${stream ? ' (stream)' : ''}`;
        const headers = { 'x-mock-error': c };
        const e1 = await oa.chat.completions.create({ model: 'm', messages: MESSAGES, stream }, { headers }).then(
          () => undefined,
          (err: unknown) => err,
        );
        t.ok(e1 instanceof OPENAI_CLASS[c], `${label} → openai SDK ${OPENAI_CLASS[c].name}`);
        const oe = e1 as InstanceType<typeof OpenAI.APIError>;
        t.equal(oe.status, OPENAI_STATUS[c], `${label} → openai status`);
        t.equal(oe.headers?.get('retry-after') ?? null, c === 'rate' ? '7' : null, `${label} → openai Retry-After`);
        t.type((oe.error as { message?: unknown } | undefined)?.message, 'string', `${label} → OpenAI error shape`);

        const e2 = await an.messages.create({ model: 'm', max_tokens: 64, messages: MESSAGES, stream }, { headers }).then(
          () => undefined,
          (err: unknown) => err,
        );
        t.ok(e2 instanceof ANTHROPIC_CLASS[c], `${label} → anthropic SDK ${ANTHROPIC_CLASS[c].name}`);
        const ae = e2 as InstanceType<typeof Anthropic.APIError>;
        t.equal(ae.status, ANTHROPIC_STATUS[c], `${label} → anthropic status`);
        t.equal(ae.headers?.get('retry-after') ?? null, c === 'rate' ? '7' : null, `${label} → anthropic Retry-After`);
        const body = ae.error as { type?: string; error?: { type?: string } } | undefined;
        t.equal(body?.type, 'error', `${label} → Anthropic error shape`);
        if (c === 'overloaded') t.equal(body?.error?.type, 'overloaded_error', `${label} → overloaded_error`);
      }
    }
    t.same(mocks[provider].rejections, [], `${provider}: every request was valid for the strict mock`);
  }
});
