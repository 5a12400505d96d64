// The admission queue's order through the real host: with the cap saturated, a request of a higher-priority key
// overtakes 50 queued lower-priority ones, which then go in arrival order; an allowed priority header is capped by
// header_max and may always lower the priority; a route's priority applies when neither key nor header gives one.
import t from 'tap';
import { startGateway } from '../../helpers/gateway.js';
import { admissionConf, chat, startHeldUpstream } from './helpers.js';

const KEYS = `                      - {key: sk-low, alias: low, priority: 0}
                      - {key: sk-high, alias: high, priority: 10}
`;

t.test('a high-priority key overtakes 50 queued low-priority requests, which keep their arrival order', async (t) => {
  const up = await startHeldUpstream();
  const g = await startGateway(admissionConf({
    port: up.port,
    keys: KEYS,
    admission: '  max_concurrency: 1\n  queue: {max_length: 100, max_wait: 30s}',
  }));
  t.teardown(async () => (await g.close(), await up.close()));
  const queue = g.gw.admission.global.queue;
  const send = (tag: string, key: string) => chat(g.url(), tag, { authorization: `Bearer ${key}` });

  const answers: Array<Promise<{ status: number; text: string }>> = [send('holder', 'sk-low')];
  await up.waitFor(1);
  for (let i = 0; i < 50; i++) {
    answers.push(send(`low-${i}`, 'sk-low'));
    // One at a time into the queue, so that their arrival order is known.
    while (queue.size < i + 1) await new Promise((r) => setTimeout(r, 2));
  }
  answers.push(send('high', 'sk-high'));
  while (queue.size < 51) await new Promise((r) => setTimeout(r, 2));
  t.equal(up.held.length, 1, 'only the holder reached the upstream while the cap was saturated');

  up.held[0]!.release();
  await up.waitFor(2);
  t.equal(up.held[1]!.tag, 'high', 'the freed slot went to the high-priority request');
  up.passThrough = true;
  up.held[1]!.release();
  const done = await Promise.all(answers);
  t.same(done.map((d) => d.status), done.map(() => 200), 'all 52 answered 200');
  t.same(up.held.map((h) => h.tag), ['holder', 'high', ...Array.from({ length: 50 }, (_, i) => `low-${i}`)], 'then the low ones, first come first served');
  t.equal(queue.size, 0);
  t.equal(g.gw.admission.global.inFlight, 0, 'every slot given back');
});

t.test('priority from an allowed header (capped by header_max), from the route, else the default', async (t) => {
  const up = await startHeldUpstream();
  const admission = `  max_concurrency: 1
  queue: {max_length: 100, max_wait: 30s}
  priority: {allow_header: true, header_max: 5}`;
  const yaml = admissionConf({ port: up.port, admission, otherRoutePriority: 3 });
  const g = await startGateway(yaml);
  t.teardown(async () => (await g.close(), await up.close()));
  const queue = g.gw.admission.global.queue;
  const answers = [chat(g.url(), 'holder')];
  await up.waitFor(1);
  const queued: Array<[string, Record<string, string>, string?]> = [
    ['default', {}],
    ['lowered', { 'x-dgp-priority': '-5' }],
    ['route-3', {}, '/other/v1/chat/completions'],
    ['asked-9-got-5', { 'x-dgp-priority': '9' }],
    ['junk-header', { 'x-dgp-priority': 'urgent' }],
  ];
  for (const [tag, headers, path] of queued) {
    answers.push(chat(g.url(), tag, headers, path));
    while (queue.size < answers.length - 1) await new Promise((r) => setTimeout(r, 2));
  }
  up.passThrough = true;
  up.held[0]!.release();
  t.same((await Promise.all(answers)).map((a) => a.status), [200, 200, 200, 200, 200, 200]);
  t.same(up.held.map((h) => h.tag), ['holder', 'asked-9-got-5', 'route-3', 'default', 'junk-header', 'lowered']);

  // Without allow_header the header is ignored: a "9" waits behind an earlier default request.
  await g.writeConfig(yaml.replace('allow_header: true', 'allow_header: false'));
  t.ok((await g.gw.reload()).ok);
  up.passThrough = false;
  up.held.length = 0;
  const again = [chat(g.url(), 'holder-2')];
  await up.waitFor(1);
  again.push(chat(g.url(), 'first'));
  while (queue.size < 1) await new Promise((r) => setTimeout(r, 2));
  again.push(chat(g.url(), 'header-ignored', { 'x-dgp-priority': '9' }));
  while (queue.size < 2) await new Promise((r) => setTimeout(r, 2));
  up.passThrough = true;
  up.held[0]!.release();
  await Promise.all(again);
  t.same(up.held.map((h) => h.tag), ['holder-2', 'first', 'header-ignored']);
});
