// Heap-based load shedding through the real host, with the heap reading forced: above shed_heap_fraction new requests
// get 503 before their body is read (a body that never finishes is not waited for), streams in flight finish intact,
// and service resumes when the heap is back under. The real V8 reading drives it too.
import { connect } from 'node:net';
import OpenAI from 'openai';
import t from 'tap';
import { startGateway } from '../../helpers/gateway.js';
import { admissionConf, chat, chatBody, metric, startHeldUpstream } from './helpers.js';

/** Sends a request head announcing a 1 MB body, then only 10 bytes of it; resolves with what came back and whether the socket was closed. */
function halfBody(port: number): Promise<{ head: string; closed: boolean; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const s = connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => (s.destroy(), resolve({ head: data, closed: false, ms: Date.now() - started })), 3000);
    s.on('data', (c: Buffer) => (data += c.toString('latin1')));
    s.on('close', () => (clearTimeout(timer), resolve({ head: data, closed: true, ms: Date.now() - started })));
    s.on('error', reject);
    s.write('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{"model":');
  });
}

t.test('above shed_heap_fraction: new requests get 503 before their body is read; a stream in flight finishes intact', async (t) => {
  const up = await startHeldUpstream();
  let heap = 0.2;
  const g = await startGateway(admissionConf({ port: up.port, admission: '  shed_heap_fraction: 0.8' }), { admission: { heapReader: () => heap, heapSampleMs: 0 } });
  t.teardown(async () => (await g.close(), await up.close()));

  const opened = fetch(`${g.url()}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chatBody('stream', true) });
  await up.waitFor(1);
  up.held[0]!.release(100, 10);
  const stream = await opened;
  t.equal(stream.status, 200);
  const reading = stream.text();

  heap = 0.95;
  const shed = await chat(g.url(), 'shed');
  t.equal(shed.status, 503);
  t.equal(shed.headers.get('retry-after'), '1');
  t.match(JSON.parse(shed.text), { error: { type: 'server_error', code: 'DGP_ERR_ADMISSION_SHED', message: /heap at 95% of its limit, above admission.shed_heap_fraction 80%/ } });
  const half = await halfBody(g.gw.port('main'));
  t.match(half.head, /^HTTP\/1\.1 503 /, 'a request whose body has not arrived is answered without waiting for it');
  t.match(half.head, /DGP_ERR_ADMISSION_SHED/);
  t.ok(half.closed, 'and its connection is closed rather than its body read');
  const anthropic = await fetch(`${g.url()}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  t.equal(anthropic.status, 503);
  t.match(await anthropic.json(), { type: 'error', error: { type: 'overloaded_error', code: 'DGP_ERR_ADMISSION_SHED' } }, 'in the Anthropic shape on /v1/messages');
  t.notOk(up.held[0]!.res.writableEnded, 'the stream was still flowing while new requests were shed');

  const body = await reading;
  t.equal(body.match(/^data: \{/gm)?.length, 100, 'all 100 events of the stream in flight arrived');
  t.ok(body.endsWith('data: [DONE]\n\n'), 'and its end');
  t.equal(up.held.length, 1, 'no shed request reached the upstream');
  t.equal(await metric(g.adminUrl, 'dgp_admission_shed_total', { listener: 'main' }), 3);
  t.equal(await metric(g.adminUrl, 'dgp_admission_heap_used_ratio'), 0.95);
  const shedLog = g.logs.find((l) => l.type === 'access' && l.code === 'DGP_ERR_ADMISSION_SHED');
  t.match(shedLog, { status: 503, route: 'main#1' }, 'each shed request has its access-log line');

  heap = 0.5;
  up.passThrough = true;
  t.equal((await chat(g.url(), 'back')).status, 200, 'served again once the heap is under the fraction');
});

t.test('the real V8 heap reading: a fraction below the idle heap sheds, the OpenAI SDK sees 503 with retry-after', async (t) => {
  const up = await startHeldUpstream();
  up.passThrough = true;
  const yaml = admissionConf({ port: up.port, admission: '  shed_heap_fraction: 0.000001' });
  const g = await startGateway(yaml);
  t.teardown(async () => (await g.close(), await up.close()));
  const client = new OpenAI({ apiKey: 'k', baseURL: `${g.url()}/v1`, maxRetries: 0 });
  const err = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
  t.ok(err instanceof OpenAI.InternalServerError);
  t.equal((err as InstanceType<typeof OpenAI.APIError>).code, 'DGP_ERR_ADMISSION_SHED');
  t.equal((err as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after'), '1');
  const ratio = await metric(g.adminUrl, 'dgp_admission_heap_used_ratio');
  t.ok(ratio !== undefined && ratio > 0 && ratio < 1, `heap ratio reported (${ratio})`);
  await g.writeConfig(yaml.replace('0.000001', '0'));
  t.ok((await g.gw.reload()).ok);
  t.equal((await chat(g.url(), 'ok')).status, 200, 'shed_heap_fraction 0: never sheds');
});
