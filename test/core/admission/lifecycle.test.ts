// Admission slots over a request's whole life, through the real host: 1,000 streams aborted at every stage (queued,
// before the head, mid-stream) leave no slot or waiter behind; a hot reload changes the cap for new requests without
// cutting or losing the ones in flight or queued; a cluster's own cap queues that cluster's requests only.
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { startGateway } from '../../helpers/gateway.js';
import { admissionConf, chat, chatBody, metric, startHeldUpstream } from './helpers.js';

const PLUGINS = fileURLToPath(new URL('../../fixtures/admission-plugins', import.meta.url));

const until = async (cond: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

t.test('1,000 aborted streams (queued, before the head, mid-stream) leave no slot and no waiter behind', async (t) => {
  const up = await startHeldUpstream();
  up.passThrough = true;
  up.streamEvents = 200;
  up.streamGapMs = 5;
  const g = await startGateway(admissionConf({
    port: up.port,
    admission: '  max_concurrency: 10\n  queue: {max_length: 1000, max_wait: 30s}',
    clusterAdmission: '        max_concurrency: 5\n        queue: {max_length: 1000, max_wait: 30s}',
  }));
  t.teardown(async () => (await g.close(), await up.close()));
  const url = `${g.url()}/v1/chat/completions`;
  const stats = { midStream: 0, early: 0 };

  const one = async (i: number): Promise<void> => {
    const ac = new AbortController();
    const res = fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chatBody(`s${i}`, true), signal: ac.signal });
    if (i % 3 === 0) {
      // Mid-stream: read the first chunk, then go away.
      try {
        const r = await res;
        await r.body!.getReader().read();
        stats.midStream++;
      } catch {
        stats.early++;
      }
    } else {
      // Queued or before the response head: gone after 0-19 ms.
      await new Promise((r) => setTimeout(r, i % 20));
      stats.early++;
    }
    ac.abort();
    await res.catch(() => undefined);
  };
  for (let batch = 0; batch < 1000; batch += 50) await Promise.all(Array.from({ length: 50 }, (_, k) => one(batch + k)));
  t.equal(stats.midStream + stats.early, 1000);
  t.ok(stats.midStream >= 300, `streams aborted mid-stream: ${stats.midStream}`);

  const slots = async (scope: string, name = 'dgp_admission_in_flight'): Promise<number | undefined> => metric(g.adminUrl, name, { scope, ...(scope === 'cluster' ? { cluster: 'llm' } : {}) });
  await until(async () => (await slots('global')) === 0 && (await slots('cluster')) === 0, 'every slot to be given back');
  t.equal(await slots('global', 'dgp_admission_queue_length'), 0, 'no waiter left in the gateway queue');
  t.equal(await slots('cluster', 'dgp_admission_queue_length'), 0, 'nor in the cluster queue');
  t.ok((await metric(g.adminUrl, 'dgp_admission_queue_wait_seconds_count', { scope: 'cluster', outcome: 'aborted' }))! > 0, 'some were aborted while queued');

  // The caps still work at full width: 5 streams held on the cluster, the 6th waits.
  up.passThrough = false;
  up.held.length = 0;
  const held = Array.from({ length: 6 }, (_, i) => chat(g.url(), `after-${i}`));
  await up.waitFor(5);
  await until(async () => (await slots('cluster', 'dgp_admission_queue_length')) === 1, 'the sixth to queue for the cluster');
  t.equal(g.gw.admission.global.inFlight, 5, 'five slots taken');
  t.equal(up.held.length, 5, 'the sixth waits');
  up.passThrough = true;
  up.streamEvents = 3;
  for (const h of up.held) h.release();
  t.same((await Promise.all(held)).map((r) => r.status), [200, 200, 200, 200, 200, 200]);
});

t.test('hot reload: a raised cap admits waiters at once; a lowered one cuts nothing and holds new requests until under it', async (t) => {
  const up = await startHeldUpstream();
  const yaml = (cap: number) => admissionConf({ port: up.port, admission: `  max_concurrency: ${cap}\n  queue: {max_length: 100, max_wait: 30s}` });
  const g = await startGateway(yaml(1));
  t.teardown(async () => (await g.close(), await up.close()));
  const gate = g.gw.admission.global;
  const answers = [chat(g.url(), 'a')];
  await up.waitFor(1);
  answers.push(chat(g.url(), 'b'), chat(g.url(), 'c'), chat(g.url(), 'd'));
  await until(() => gate.queue.size === 3, 'three waiters');

  await g.writeConfig(yaml(3));
  const r = await g.gw.reload();
  t.ok(r.ok);
  t.match(r.diff, /admission ~gateway/);
  await up.waitFor(3);
  t.equal(gate.inFlight, 3, 'two waiters admitted by the raised cap');
  t.equal(gate.queue.size, 1);

  await g.writeConfig(yaml(1));
  t.ok((await g.gw.reload()).ok);
  t.equal(gate.inFlight, 3, 'lowering the cap cut nothing');
  up.held[0]!.release();
  await until(() => gate.inFlight === 2, 'a to finish');
  t.equal(gate.queue.size, 1, 'd still waits: 2 in flight is above the new cap of 1');
  up.held[1]!.release();
  await until(() => gate.inFlight === 1, 'b to finish');
  t.equal(gate.queue.size, 1, 'd still waits: 1 in flight is the cap');
  up.held[2]!.release();
  await up.waitFor(4);
  t.equal(up.held[3]!.tag, 'd', 'd admitted once under the cap');
  up.held[3]!.release();
  t.same((await Promise.all(answers)).map((a) => a.status), [200, 200, 200, 200]);
  t.equal(gate.inFlight, 0);
});

t.test("a cluster's cap queues that cluster's requests only; its timeout names the cluster", async (t) => {
  const up = await startHeldUpstream();
  const g = await startGateway(admissionConf({ port: up.port, clusterAdmission: '        max_concurrency: 1\n        queue: {max_length: 10, max_wait: 300ms}' }));
  t.teardown(async () => (await g.close(), await up.close()));
  const holder = chat(g.url(), 'holder');
  await up.waitFor(1);
  const queued = chat(g.url(), 'queued');
  await until(async () => (await metric(g.adminUrl, 'dgp_admission_queue_length', { scope: 'cluster', cluster: 'llm' })) === 1, 'the cluster queue');
  const other = chat(g.url(), 'other', {}, '/other/v1/chat/completions');
  await up.waitFor(2);
  t.equal(up.held[1]!.tag, 'other', 'another cluster is not held up');
  up.held[1]!.release();
  t.equal((await other).status, 200);
  const timedOut = await queued;
  t.equal(timedOut.status, 503);
  t.match(JSON.parse(timedOut.text), { error: { code: 'DGP_ERR_ADMISSION_QUEUE_TIMEOUT', message: /cluster llm's concurrency cap \(admission.max_concurrency 1\)/ } });
  t.equal(await metric(g.adminUrl, 'dgp_admission_rejected_total', { scope: 'cluster', cluster: 'llm', reason: 'queue_timeout' }), 1);
  up.held[0]!.release();
  t.equal((await holder).status, 200);
});

t.test('a request the connection manager gave up on before the gate never takes a slot when its filters finish later', async (t) => {
  const up = await startHeldUpstream();
  up.passThrough = true;
  const yaml = admissionConf({ port: up.port, timeout: '200ms', admission: '  max_concurrency: 1' }).replace(
    '              http_filters:\n',
    '              http_filters:\n                - name: test.slow\n                  config: {ms: 500}\n',
  );
  const g = await startGateway(yaml, { pluginDirs: [PLUGINS] });
  t.teardown(async () => (await g.close(), await up.close()));
  t.equal((await chat(g.url(), 'late')).status, 504);
  await new Promise((r) => setTimeout(r, 600));
  t.equal(g.gw.admission.global.inFlight, 0, 'the late decode reached the gate and was turned away');
  t.equal(up.held.length, 0, 'and never went upstream');
});
