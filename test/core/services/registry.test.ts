// The host's service registry: one value per (service, deep-equal config), shared by scopes, closed when the last
// scope lets go, readiness per live service, and closeAll for Gateway.close().
import { pino } from 'pino';
import { Registry } from 'prom-client';
import t from 'tap';
import { defineService } from '../../../core/index.js';
import { readinessReport } from '../../../core/services/readiness.js';
import { ServiceRegistry } from '../../../core/services/registry.js';
import { stubMetrics } from '../../helpers/factory-context.js';

function probe() {
  const events: string[] = [];
  let ready = true;
  const def = defineService<{ label: string }, { label: string; opts?: Record<string, unknown> }>({
    name: 'test.probe',
    create: (c) => (events.push(`create ${c.label}`), { label: c.label }),
    close: (v) => void events.push(`close ${v.label}`),
    readiness: () => (ready ? { ready: true } : { ready: false, reason: 'backend down' }),
    instance: (c) => c.label,
  });
  return { def, events, setReady: (r: boolean) => (ready = r) };
}

const registry = () => new ServiceRegistry(pino({ level: 'silent' }), stubMetrics(new Registry()));

t.test('deep-equal configs share one value; key order does not matter', async (t) => {
  const { def, events } = probe();
  const r = registry();
  const gen1 = r.scope();
  const a = gen1.get(def, { label: 'a', opts: { x: 1, y: 2 } });
  const gen2 = r.scope();
  t.equal(gen2.get(def, { opts: { y: 2, x: 1 }, label: 'a' }), a, 'the next generation gets the same value');
  t.same(events, ['create a']);
  await gen1.release();
  t.same(events, ['create a'], 'still held by gen2');
  await gen2.release();
  t.same(events, ['create a', 'close a'], 'closed once nobody holds it');
  t.equal(r.size, 0);
});

t.test('a changed config gets a new value; the old one closes with the last generation holding it', async (t) => {
  const { def, events } = probe();
  const r = registry();
  const gen1 = r.scope();
  const a = gen1.get(def, { label: 'a' });
  const gen2 = r.scope();
  t.not(gen2.get(def, { label: 'b' }), a);
  t.same(events, ['create a', 'create b']);
  await gen1.release();
  await gen1.release();
  t.same(events, ['create a', 'create b', 'close a'], 'release is idempotent');
  t.throws(() => gen1.get(def, { label: 'a' }), /after its generation was closed/);
  await r.closeAll();
  t.same(events, ['create a', 'create b', 'close a', 'close b']);
});

t.test('readiness: every service of the scopes, the first not-ready one is the reason', async (t) => {
  const { def, setReady } = probe();
  const plain = defineService({ name: 'test.plain', create: () => ({}) });
  const r = registry();
  const gen = r.scope();
  gen.get(def, { label: 'a' });
  gen.get(plain);
  t.same(readinessReport([gen]), { detail: { 'test.probe:a': { ready: true }, 'test.plain': { ready: true } } });
  setReady(false);
  t.match(readinessReport([gen, undefined]), { reason: 'test.probe:a: backend down', detail: { 'test.probe:a': { ready: false } } });
  await r.closeAll();
});

t.test('a failing close is logged, not thrown; a throwing readiness reads as not ready', async (t) => {
  const bad = defineService({ name: 'test.bad', create: () => ({}), close: () => Promise.reject(new Error('boom')), readiness: () => { throw new Error('probe failed'); } });
  const r = registry();
  const gen = r.scope();
  gen.get(bad);
  t.match(gen.readiness(), { 'test.bad': { ready: false, reason: /probe failed/ } });
  await gen.release();
  t.equal(r.size, 0);
});

t.test('defineService checks its input', async (t) => {
  t.throws(() => defineService({ name: '', create: () => 1 }), /name/);
  t.throws(() => defineService({ name: 'x' } as never), /create/);
  t.ok(Object.isFrozen(defineService({ name: 'x', create: () => 1 })));
});
