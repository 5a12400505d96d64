// The webhook check: Portkey's request shape goes out, its verdict blocks or passes, transformedData rewrites the
// prompt under redact, and a slow or failing webhook is decided by fail: open / closed — on input and on output,
// unary and streamed (an output webhook holds the whole answer for its verdict).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { startGateway, type TestGateway } from '../../../helpers/gateway.js';
import { metricValue } from '../../../e2e/providers/helpers.js';
import { ask, guardGatewayYaml, startPiecesUpstream, streamedText, type PiecesUpstream } from './helpers.js';

interface HookAnswer {
  verdict?: unknown;
  transformedData?: unknown;
  delayMs?: number;
  status?: number;
}

let hookAnswer: (body: Record<string, any>) => HookAnswer = () => ({ verdict: true });
const hookCalls: Array<Record<string, any>> = [];
let hookPort = 0;
let up: PiecesUpstream;
const gws: TestGateway[] = [];

const gateway = async (guardrails: string): Promise<TestGateway> => {
  const gw = await startGateway(guardGatewayYaml(guardrails, up.port));
  gws.push(gw);
  return gw;
};

t.before(async () => {
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, any>;
      hookCalls.push(body);
      const a = hookAnswer(body);
      const send = (): void => {
        if (res.destroyed) return;
        res.writeHead(a.status ?? 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ verdict: a.verdict, ...(a.transformedData === undefined ? {} : { transformedData: a.transformedData }) }));
      };
      if (a.delayMs) setTimeout(send, a.delayMs).unref();
      else send();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  hookPort = (server.address() as AddressInfo).port;
  up = await startPiecesUpstream({ pieces: ['The answer ', 'is 42.'] });
  t.teardown(async () => {
    for (const gw of gws) await gw.close();
    await up.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
});

const hook = (extra: string) => `http://127.0.0.1:${hookPort}/check", timeout: 300ms${extra}`;

t.test('input: the Portkey request shape goes out; verdict false blocks, true passes', async (t) => {
  const gw = await gateway(`                    input:\n                      - { check: webhook, name: corp, url: "${hook('')} }`);
  hookAnswer = (b) => ({ verdict: !String(b.request?.text).includes('forbidden') });
  const ok = await ask(gw.url(), 'openai', 'hello there', false);
  t.equal(ok.status, 200);
  const call = hookCalls[hookCalls.length - 1]!;
  t.match(call, { eventType: 'beforeRequestHook', requestType: 'chatComplete', request: { text: 'hello there', isStreamingRequest: false, json: { model: 'gpt-4o-mini' } }, metadata: { rule: 'corp' } });
  const no = await ask(gw.url(), 'anthropic', 'a forbidden topic', false);
  t.equal(no.status, 400);
  t.match(JSON.parse(no.text), { error: { message: /guardrail 'corp'/ } });
});

t.test('input: transformedData.request.json replaces the prompt under redact', async (t) => {
  const gw = await gateway(`                    input:\n                      - { check: webhook, url: "${hook('')}, action: redact }`);
  hookAnswer = (b) => ({ verdict: true, transformedData: { request: { json: { ...b.request.json, messages: [{ role: 'user', content: 'rewritten by the webhook' }] } } } });
  const r = await ask(gw.url(), 'openai', 'original text', false);
  t.equal(r.status, 200);
  t.same(up.bodies[up.bodies.length - 1]!.messages, [{ role: 'user', content: 'rewritten by the webhook' }]);
});

t.test('input: a webhook slower than its timeout passes under fail open and blocks under fail closed', async (t) => {
  const open = await gateway(`                    input:\n                      - { check: webhook, name: slow-open, url: "${hook(', fail: open')} }`);
  const closed = await gateway(`                    input:\n                      - { check: webhook, name: slow-closed, url: "${hook(', fail: closed')} }`);
  hookAnswer = () => ({ verdict: false, delayMs: 2000 });
  const started = Date.now();
  const a = await ask(open.url(), 'openai', 'hi', false);
  t.equal(a.status, 200);
  t.ok(Date.now() - started < 1500, 'the timeout, not the webhook, decided when');
  t.equal(await metricValue(open, 'dgp_guardrail_errors_total', { rule: 'slow-open', reason: 'timeout', fail: 'open' }), 1);
  const b = await ask(closed.url(), 'openai', 'hi', false);
  t.equal(b.status, 400);
  t.match(b.text, /could not be checked by guardrail 'slow-closed'/);
  t.equal(await metricValue(closed, 'dgp_guardrail_errors_total', { rule: 'slow-closed', reason: 'timeout', fail: 'closed' }), 1);
  hookAnswer = () => ({ verdict: true, status: 500 });
  t.equal((await ask(closed.url(), 'openai', 'hi', false)).status, 400, 'a 500 is an error too');
  hookAnswer = () => ({ verdict: 'yes' });
  t.equal((await ask(closed.url(), 'openai', 'hi', false)).status, 400, 'so is an answer without a boolean verdict');
});

t.test('output: the verdict on the whole answer, unary and streamed', async (t) => {
  const gw = await gateway(`                    output:\n                      - { check: webhook, name: out, url: "${hook('')} }`);
  hookAnswer = (b) => ({ verdict: !String(b.response?.text).includes('42') });
  const unary = await ask(gw.url(), 'openai', 'q', false);
  t.match(JSON.parse(unary.text), { choices: [{ finish_reason: 'content_filter' }] });
  t.notOk(unary.text.includes('42'));
  t.match(hookCalls[hookCalls.length - 1], { eventType: 'afterRequestHook', response: { text: 'The answer is 42.' } });
  const streamed = await ask(gw.url(), 'gemini', 'q', true);
  t.notOk(streamed.text.includes('42'));
  t.notOk(streamed.text.includes('The answer'), 'the stream was held whole for the verdict');
  t.match(streamed.text, /"finishReason":"SAFETY"/);
  hookAnswer = () => ({ verdict: true });
  const passed = await ask(gw.url(), 'anthropic', 'q', true);
  t.equal(streamedText('anthropic', passed.text), 'The answer is 42.');
});
