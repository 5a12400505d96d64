// Request attributes: keys from defineAttribute live in per-request slots, keys made any other way by identity; values
// never leak between requests, and an explicitly stored undefined reads back as undefined.
import type { IncomingMessage } from 'node:http';
import { pino } from 'pino';
import t from 'tap';
import { defineAttribute, type Attribute } from '../../../core/index.js';
import { Context } from '../../../core/http/context.js';
import { LocalReplies } from '../../../core/http/local-reply.js';

const route = { id: 'r', cluster: 'c', params: {}, listener: 'l', clusterNotFoundResponseCode: undefined };
const newContext = (): Context =>
  new Context({ method: 'POST', url: '/v1/x', headers: {} } as IncomingMessage, 'id', route, pino({ level: 'silent' }), new LocalReplies([], 'auto', pino({ level: 'silent' })), 1024, 0);

t.test('defineAttribute keys and hand-made keys both work, per request', async (t) => {
  const a = defineAttribute<number>('test.a');
  const b = defineAttribute<string>('test.b');
  const plain = Object.freeze({ name: 'test.plain' }) as Attribute<string>;
  const twin = Object.freeze({ name: 'test.plain' }) as Attribute<string>;
  t.type(a.slot, 'number');
  t.not(a.slot, b.slot, 'every key its own slot');
  const one = newContext();
  const two = newContext();
  one.set(a, 1);
  one.set(b, 'x');
  one.set(plain, 'p');
  t.equal(one.get(a), 1);
  t.equal(one.get(b), 'x');
  t.equal(one.get(plain), 'p');
  t.equal(one.get(twin), undefined, 'a key without a slot is matched by identity, not by name');
  t.equal(two.get(a), undefined, 'nothing leaks into another request');
  t.equal(two.get(plain), undefined);
  one.set(a, undefined as unknown as number);
  t.equal(one.get(a), undefined);
  // Keys defined late (e.g. after many plugin reloads) fall back to the Map and still work.
  let late = a;
  for (let i = 0; i < 300; i++) late = defineAttribute<number>(`test.late.${i}`);
  t.ok((late.slot ?? 0) >= 256);
  one.set(late, 7);
  t.equal(one.get(late), 7);
  t.equal(two.get(late), undefined);
});

t.test('keys from a second copy of the SDK never share a slot with the host', async (t) => {
  // A plugin bundling its own SDK copy evaluates attributes.ts again: simulated by a fresh module instance.
  const copy = (await import(`../../../core/attributes.js?copy=${Date.now()}`)) as typeof import('../../../core/attributes.js');
  t.not(copy.defineAttribute, defineAttribute, 'a separate module instance');
  const host = defineAttribute<string>('test.host');
  const theirs = copy.defineAttribute<string>('test.theirs');
  t.not(theirs.slot, host.slot);
  const ctx = newContext();
  ctx.set(host, 'h');
  ctx.set(theirs, 't');
  t.equal(ctx.get(host), 'h');
  t.equal(ctx.get(theirs), 't');
});
