// What a client sees when admission refuses it, through the real host: a queue timeout after max_wait and a full
// queue at once, both 503 with retry-after in the shape of the API the client speaks (read by the official SDKs), the
// SDKs' own retry honouring retry-after; requests answered before the gate (a 401) never take a slot.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import t from 'tap';
import { startGateway } from '../../helpers/gateway.js';
import { admissionConf, chat, chatBody, metric, startHeldUpstream } from './helpers.js';

const msg = { model: 'm', messages: [{ role: 'user' as const, content: 'queued' }] };

t.test('queue timeout: 503 after max_wait with retry-after, in the OpenAI and the Anthropic shape', async (t) => {
  const up = await startHeldUpstream();
  const g = await startGateway(admissionConf({ port: up.port, admission: '  max_concurrency: 1\n  queue: {max_length: 10, max_wait: 300ms}' }));
  t.teardown(async () => (await g.close(), await up.close()));
  const holder = chat(g.url(), 'holder');
  await up.waitFor(1);

  const openai = new OpenAI({ apiKey: 'k', baseURL: `${g.url()}/v1`, maxRetries: 0 });
  let started = Date.now();
  const e1 = await openai.chat.completions.create(msg).catch((e: unknown) => e);
  const waitedOpenAi = Date.now() - started;
  t.ok(e1 instanceof OpenAI.InternalServerError, 'OpenAI SDK: InternalServerError (5xx)');
  const oe = e1 as InstanceType<typeof OpenAI.APIError>;
  t.equal(oe.status, 503);
  t.equal(oe.headers?.get('retry-after'), '1');
  t.equal(oe.code, 'DGP_ERR_ADMISSION_QUEUE_TIMEOUT');
  t.equal(oe.type, 'server_error');
  t.match(oe.message, /waited 300 ms for a slot under the gateway's concurrency cap/);
  t.ok(waitedOpenAi >= 290 && waitedOpenAi < 5000, `answered after max_wait (${waitedOpenAi} ms)`);

  const anthropic = new Anthropic({ apiKey: 'k', baseURL: g.url(), maxRetries: 0 });
  started = Date.now();
  const e2 = await anthropic.messages.create({ ...msg, max_tokens: 5 }).catch((e: unknown) => e);
  t.ok(e2 instanceof Anthropic.InternalServerError, 'Anthropic SDK: InternalServerError (5xx)');
  const ae = e2 as InstanceType<typeof Anthropic.APIError>;
  t.equal(ae.status, 503);
  t.equal(ae.headers?.get('retry-after'), '1');
  t.match(ae.error, { type: 'error', error: { type: 'overloaded_error', code: 'DGP_ERR_ADMISSION_QUEUE_TIMEOUT' } });
  t.ok(Date.now() - started >= 290);

  t.equal(up.held.length, 1, 'no refused request reached the upstream');
  t.equal(await metric(g.adminUrl, 'dgp_admission_rejected_total', { scope: 'global', reason: 'queue_timeout' }), 2);
  t.equal(await metric(g.adminUrl, 'dgp_admission_queue_wait_seconds_count', { scope: 'global', outcome: 'timeout' }), 2);
  const access = g.logs.filter((l) => l.type === 'access');
  t.same(access.map((l) => l.status), [503, 503], 'the access log shows the 503s');

  // The SDK's own retry waits what retry-after says: its first try times out in the queue; the slot is freed during
  // the second the SDK then waits, and its retry is served.
  up.passThrough = true;
  const retrying = new OpenAI({ apiKey: 'k', baseURL: `${g.url()}/v1`, maxRetries: 2 });
  started = Date.now();
  const pending = retrying.chat.completions.create(msg);
  while (g.logs.filter((l) => l.type === 'access' && l.status === 503).length < 3) await new Promise((r) => setTimeout(r, 5));
  const refusedAt = Date.now();
  up.held[0]!.release();
  const ok = await pending;
  t.equal(ok.choices[0]?.message.content, 're:queued');
  t.ok(Date.now() - refusedAt >= 900, `the retry came after retry-after: 1 (${Date.now() - refusedAt} ms after the 503)`);
  t.equal((await holder).status, 200);
});

t.test('queue full: 503 at once; no queue (max_length 0): 503 at once; a 401 before the gate takes no slot', async (t) => {
  const up = await startHeldUpstream();
  const keys = '                      - {key: sk-ok, alias: ok}\n';
  const yaml = admissionConf({ port: up.port, keys, admission: '  max_concurrency: 1\n  queue: {max_length: 2, max_wait: 20s}' });
  const g = await startGateway(yaml);
  t.teardown(async () => (await g.close(), await up.close()));
  const auth = { authorization: 'Bearer sk-ok' };
  const pending = [chat(g.url(), 'holder', auth)];
  await up.waitFor(1);
  pending.push(chat(g.url(), 'q1', auth), chat(g.url(), 'q2', auth));
  while (g.gw.admission.global.queue.size < 2) await new Promise((r) => setTimeout(r, 2));

  const unknown = await chat(g.url(), 'no-key', { authorization: 'Bearer sk-wrong' });
  t.equal(unknown.status, 401, 'the keys filter answers before the gate');
  const full = await chat(g.url(), 'full', auth);
  t.equal(full.status, 503);
  t.ok(full.ms < 5000, `refused at once, not after max_wait 20s (${full.ms} ms)`);
  t.equal(full.headers.get('retry-after'), '20');
  t.match(JSON.parse(full.text), { error: { type: 'server_error', code: 'DGP_ERR_ADMISSION_QUEUE_FULL' } });
  t.equal(await metric(g.adminUrl, 'dgp_admission_queue_length', { scope: 'global' }), 2);
  t.equal(await metric(g.adminUrl, 'ai_inference_queue_length', { scope: 'global' }), 2, "Pixiu's roadmap name");
  t.equal(await metric(g.adminUrl, 'dgp_admission_in_flight', { scope: 'global' }), 1);
  t.equal(await metric(g.adminUrl, 'dgp_admission_rejected_total', { scope: 'global', reason: 'queue_full' }), 1);

  await g.writeConfig(yaml.replace('max_length: 2', 'max_length: 0'));
  t.ok((await g.gw.reload()).ok);
  const none = await chat(g.url(), 'no-queue', auth);
  t.equal(none.status, 503, 'max_length 0: refused at once while the slot is taken');
  t.ok(none.ms < 5000);
  up.passThrough = true;
  up.held[0]!.release();
  t.same((await Promise.all(pending)).map((p) => p.status), [200, 200, 200], 'the two queued before the reload are still served');
  t.equal((await chat(g.url(), 'after', auth)).status, 200);
  t.equal(g.gw.admission.global.inFlight, 0);
});

t.test('the connection manager timeout also bounds the wait: 504 naming the queue, and the waiter leaves it', async (t) => {
  const up = await startHeldUpstream();
  const g = await startGateway(admissionConf({ port: up.port, timeout: '300ms', admission: '  max_concurrency: 1\n  queue: {max_length: 10, max_wait: 30s}' }));
  t.teardown(async () => (await g.close(), await up.close()));
  // The holder streams for ~1.5 s: past its head, the timeout no longer applies to it, and it keeps the slot.
  const opened = fetch(`${g.url()}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chatBody('holder', true) });
  await up.waitFor(1);
  up.held[0]!.release(150, 10);
  const holder = (await opened).text();
  const waited = await chat(g.url(), 'waits');
  t.equal(waited.status, 504);
  t.match(JSON.parse(waited.text), { error: { code: 'DGP_ERR_HTTP_DECODE_TIMEOUT', message: /the request was still waiting in the admission queue/ } });
  t.equal(g.gw.admission.global.queue.size, 0, 'the waiter left the queue');
  t.equal(up.held.length, 1, 'and never reached the upstream');
  t.equal((await holder).match(/^data: \{/gm)?.length, 150, 'the stream holding the slot was not cut');
  up.passThrough = true;
  t.equal((await chat(g.url(), 'next')).status, 200, 'its slot is free again');
  t.equal(g.gw.admission.global.inFlight, 0);
});
