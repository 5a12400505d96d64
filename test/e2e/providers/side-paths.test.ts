// Paths no codec translates (Anthropic count_tokens, Gemini countTokens): forwarded only to an endpoint of the same
// API with that provider's own credential header, never a Bearer. Token counts for a cluster of another API are the
// local tokenizer's, marked `x-dgp-token-count: estimate`; other paths are refused with a 400 in the client's shape
// (read by the official @anthropic-ai/sdk).
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import t from 'tap';
import { startGateway } from '../../helpers/gateway.js';
import { anthropicClient, gatewayYaml } from './helpers.js';

/** 'Be brief.' + the user message by OpenAI's chat rules (o200k_base). */
const COUNT = 23;

async function recorder(answer: object) {
  const seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders }> = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

t.test('same API: forwarded with the provider credential header; other API: a clear 400', async (t) => {
  const ant = await recorder({ input_tokens: 7 });
  const gem = await recorder({ totalTokens: 9 });
  const gw = await startGateway(
    gatewayYaml([
      { name: 'ant', cluster: 'ant', endpoints: [{ id: 'claude', provider: 'anthropic', port: ant.port, apiKey: 'sk-ant-upstream' }] },
      { name: 'gem', cluster: 'gem', endpoints: [{ id: 'gemini', provider: 'gemini', port: gem.port, apiKey: 'gm-upstream', extra: { model_map: { fast: 'gemini-2.5-flash' } } }] },
      { name: 'oai', cluster: 'oai', endpoints: [{ id: 'gpt', provider: 'openai', port: 1, apiKey: 'sk-upstream' }] },
    ]),
  );
  t.teardown(async () => (await gw.close(), await Promise.all([ant.close(), gem.close()])));

  const counted = await anthropicClient(gw.url('ant')).messages.countTokens({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] });
  t.equal(counted.input_tokens, 7, 'the Anthropic upstream answers');
  const sent = ant.seen[0]!;
  t.equal(sent.url, '/v1/messages/count_tokens');
  t.equal(sent.headers['x-api-key'], 'sk-ant-upstream', "the endpoint's key in Anthropic's header");
  t.equal(sent.headers.authorization, undefined, 'no Bearer');
  t.type(sent.headers['anthropic-version'], 'string');

  const g = await fetch(`${gw.url('gem')}/v1beta/models/fast:countTokens?key=client-key`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }),
  });
  t.equal(g.status, 200);
  t.same(await g.json(), { totalTokens: 9 });
  t.equal(gem.seen[0]!.url, '/v1beta/models/gemini-2.5-flash:countTokens', 'model_map applies to the path; the client key is not forwarded');
  t.equal(gem.seen[0]!.headers['x-goog-api-key'], 'gm-upstream');
  t.equal(gem.seen[0]!.headers.authorization, undefined);

  // No Anthropic endpoint behind 'oai': the local tokenizer answers, marked as an estimate.
  const local = await anthropicClient(gw.url('oai')).messages.countTokens({ model: 'claude-sonnet-4-5', system: 'Be brief.', messages: [{ role: 'user', content: 'Please say hello to everyone reading this test.' }] }).withResponse();
  t.equal(local.data.input_tokens, COUNT, 'a local count (OpenAI chat rules, o200k_base)');
  t.equal(local.response.headers.get('x-dgp-token-count'), 'estimate', 'marked as an estimate');
  const gl = await fetch(`${gw.url('ant')}/v1beta/models/fast:countTokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-api-key': 'client-key' },
    body: JSON.stringify({ systemInstruction: { parts: [{ text: 'Be brief.' }] }, contents: [{ role: 'user', parts: [{ text: 'Please say hello to everyone reading this test.' }] }] }),
  });
  t.equal(gl.status, 200);
  t.equal(gl.headers.get('x-dgp-token-count'), 'estimate');
  t.same(await gl.json(), { totalTokens: COUNT }, 'Gemini countTokens to an Anthropic cluster: the same local count, in Gemini shape');
  t.equal(ant.seen.length, 1, 'the Anthropic upstream was not asked for a Gemini count');

  const refused = await anthropicClient(gw.url('oai'))
    .messages.batches.list()
    .catch((e: unknown) => e);
  t.type(refused, Anthropic.BadRequestError, 'an Anthropic path to an OpenAI endpoint: 400 in the Anthropic shape');
  t.match((refused as Error).message, /GET \/v1\/messages\/batches is a path of the anthropic API that the gateway does not translate/);
  t.match((refused as Error).message, /DGP_ERR_PROXY_OTHER_API_PATH|Anthropic messages/);
});
