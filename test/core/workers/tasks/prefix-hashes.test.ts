// prefixHashes: chained block hashes; shared prefixes share leading hashes; only whole blocks count.
import { createHash } from 'node:crypto';
import t from 'tap';
import { prefixHashes } from '../../../../core/workers/tasks/prefix-hashes.js';

t.test('the chain is sha256(prev ‖ uint32le ids) from sha256(seed)', async (t) => {
  const r = prefixHashes({ ids: [1, 2, 3, 4, 5], blockSize: 2, seed: 'm' });
  const h0 = createHash('sha256').update('m').digest();
  const b1 = Buffer.alloc(8);
  b1.writeUInt32LE(1, 0);
  b1.writeUInt32LE(2, 4);
  const h1 = createHash('sha256').update(h0).update(b1).digest();
  t.equal(r.tokens, 5);
  t.equal(r.hashes.length, 2, 'the partial last block is not hashed');
  t.equal(r.hashes[0], h1.toString('hex'));
});

t.test('texts with a common prefix share their leading hashes; seeds separate chains', async (t) => {
  const base = 'You are a helpful assistant. '.repeat(20);
  const a = prefixHashes({ text: `${base}Tell me about cats.`, blockSize: 16, model: 'gpt-4o' });
  const b = prefixHashes({ text: `${base}Tell me about dogs and their owners.`, blockSize: 16, model: 'gpt-4o' });
  t.equal(a.encoding, 'o200k_base');
  const shared = Math.floor(120 / 16);
  t.same(a.hashes.slice(0, shared), b.hashes.slice(0, shared));
  t.not(a.hashes.at(-1), b.hashes.at(-1));
  const c = prefixHashes({ text: `${base}Tell me about cats.`, blockSize: 16, model: 'gpt-4o', seed: 'other' });
  t.not(c.hashes[0], a.hashes[0]);
  t.throws(() => prefixHashes({ ids: [1], blockSize: 0 }), { code: 'DGP_ERR_WORKER_TASK' });
  t.throws(() => prefixHashes({ blockSize: 4 }), { code: 'DGP_ERR_WORKER_TASK' });
});
