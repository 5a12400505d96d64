// hash: SHA-256 of canonical JSON (sorted keys at every depth), or of raw text.
import { createHash } from 'node:crypto';
import t from 'tap';
import { canonicalJson, hash } from '../../../../core/workers/tasks/hash.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

t.test('canonical JSON sorts keys at every depth and drops undefined', async (t) => {
  t.equal(canonicalJson({ b: 1, a: [1, { d: undefined, c: 'x' }], e: null }), '{"a":[1,{"c":"x"}],"b":1,"e":null}');
  t.equal(canonicalJson([undefined, 1]), '[null,1]');
  t.equal(canonicalJson('é'), '"é"');
});

t.test('key order and formatting do not change the hash', async (t) => {
  const a = hash({ value: JSON.parse('{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}') });
  const b = hash({ value: JSON.parse('{ "messages": [ { "content": "hi", "role": "user" } ], "model": "gpt-4o" }') });
  t.equal(a.sha256, b.sha256);
  t.equal(a.sha256, sha('{"messages":[{"content":"hi","role":"user"}],"model":"gpt-4o"}'));
  t.equal(hash({ text: 'abc' }).sha256, sha('abc'));
  t.throws(() => hash(null as never), { code: 'DGP_ERR_WORKER_TASK' });
});
