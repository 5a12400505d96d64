// Concurrency limits through the real host: a slot is held until the stream ends and freed at the end, on a client
// abort, on an upstream error and on a local reply; after 1,000 aborted streams no slot is left held (the gauge is 0
// and a full set of new requests is admitted at once). A refusal is a 429 DGP_ERR_RATELIMIT_CONCURRENCY.
import t from 'tap';
import { startGateway } from '../../../helpers/gateway.js';
import { chat, metric, post, rlGatewayYaml, startPacedOpenAi } from './helpers.js';

const RULE = (n: number) => `                    rules:\n                      - {id: parallel, scope: route, concurrency: ${n}}`;

async function slotsZero(adminUrl: string): Promise<boolean> {
  for (let i = 0; i < 150; i++) {
    if ((await metric(adminUrl, 'dgp_ratelimit_concurrency_slots')) === 0) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

/** Reads a streamed answer until its first content event, then lets it go (the client disconnects). */
async function abortAfterFirstEvent(url: string): Promise<number> {
  const ac = new AbortController();
  const r = await fetch(url, { method: 'POST', signal: ac.signal, headers: { 'content-type': 'application/json' }, body: JSON.stringify(chat({ stream: true })) });
  if (r.status !== 200) {
    await r.body?.cancel();
    return r.status;
  }
  const reader = r.body!.getReader();
  let text = '';
  while (!text.includes('word')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += Buffer.from(value).toString();
  }
  ac.abort();
  await reader.cancel().catch(() => undefined);
  return 200;
}

t.test('a slot is held until the stream ends, then freed', async (t) => {
  const up = await startPacedOpenAi({ events: 6, intervalMs: 40, usage: { input: 3, output: 6 } });
  const g = await startGateway(rlGatewayYaml({ provider: 'openai', port: up.port, ratelimit: RULE(2) }));
  t.teardown(async () => (await g.close(), await up.close()));
  const url = `${g.url()}/v1/chat/completions`;
  const first = await Promise.all([post(url, chat({ stream: true })), post(url, chat({ stream: true }))]);
  t.same(first.map((r) => r.status), [200, 200]);
  t.equal(await metric(g.adminUrl, 'dgp_ratelimit_concurrency_slots'), 2, 'two slots held while the streams flow');
  const third = await post(url, chat({ stream: true }));
  t.equal(third.status, 429, 'the third waits for a slot');
  const body = (await third.json()) as { error: Record<string, unknown> };
  t.match(body.error, { type: 'requests', code: 'rate_limit_exceeded', dgp_code: 'DGP_ERR_RATELIMIT_CONCURRENCY' });
  t.match(body.error.message, /Concurrency limit reached for rule parallel \(scope route\): 2 requests in flight, limit 2/);
  t.equal(third.headers.get('retry-after-ms'), '1000', 'concurrency_retry_after_ms');
  await Promise.all(first.map((r) => r.text()));
  t.ok(await slotsZero(g.adminUrl), 'both slots freed at stream end');
  const again = await Promise.all([post(url, chat()), post(url, chat())]);
  t.same(again.map((r) => r.status), [200, 200], 'a full set is admitted again');
  await Promise.all(again.map((r) => r.text()));
});

t.test('slots are freed on an upstream error and on a local reply', async (t) => {
  const up = await startPacedOpenAi({ events: 1, intervalMs: 1, usage: { input: 3, output: 1 } });
  const g = await startGateway(rlGatewayYaml({ provider: 'openai', port: up.port, ratelimit: RULE(1) }));
  t.teardown(async () => (await g.close(), await up.close()));
  const url = `${g.url()}/v1/chat/completions`;
  up.failWith = 503;
  for (let i = 0; i < 3; i++) {
    const r = await post(url, chat());
    t.equal(r.status, 503, `upstream error ${i + 1}`);
    await r.text();
  }
  t.ok(await slotsZero(g.adminUrl), 'freed after upstream errors');
  up.failWith = undefined;
  // An Anthropic request nested deeper than translation accepts: the proxy answers 400 itself, no upstream call.
  const deep = `{"model":"gpt-4o-mini","max_tokens":5,"messages":[{"role":"user","content":${'['.repeat(200)}${']'.repeat(200)}}]}`;
  const before = up.count;
  for (let i = 0; i < 3; i++) {
    const r = await fetch(`${g.url()}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body: deep });
    t.equal(r.status, 400, `local reply ${i + 1}`);
    await r.text();
  }
  t.equal(up.count, before, 'answered by the gateway itself');
  t.ok(await slotsZero(g.adminUrl), 'freed after local replies');
  const ok = await post(url, chat());
  t.equal(ok.status, 200, 'the one slot is free');
  await ok.text();
});

t.test('no leak after 1,000 aborted streams', async (t) => {
  const up = await startPacedOpenAi({ events: 50, intervalMs: 10, usage: { input: 3, output: 50 } });
  const g = await startGateway(rlGatewayYaml({ provider: 'openai', port: up.port, ratelimit: RULE(5) }));
  t.teardown(async () => (await g.close(), await up.close()));
  const url = `${g.url()}/v1/chat/completions`;
  const statuses: number[] = [];
  // Five clients, each aborting 200 streams one after the other: at most 5 in flight, each released by its abort.
  await Promise.all(
    Array.from({ length: 5 }, async () => {
      for (let i = 0; i < 200; i++) {
        let status = await abortAfterFirstEvent(url);
        // The previous stream's release may still be on its way when the next one asks.
        for (let k = 0; status === 429 && k < 50; k++) {
          await new Promise((r) => setTimeout(r, 10));
          status = await abortAfterFirstEvent(url);
        }
        statuses.push(status);
      }
    }),
  );
  t.equal(statuses.filter((s) => s === 200).length, 1000, '1,000 streams admitted and aborted');
  t.ok(await slotsZero(g.adminUrl), 'no slot held once they are all gone');
  t.ok(up.aborted >= 990, `the upstream saw the aborts (${up.aborted})`);
  const after = await Promise.all(Array.from({ length: 5 }, () => post(url, chat())));
  t.same(after.map((r) => r.status), [200, 200, 200, 200, 200], 'all 5 slots are free');
  await Promise.all(after.map((r) => r.text()));
});
