// The secret matcher: every form of a secret is replaced in whole buffers and in streams split at every offset (two and
// three pieces, byte by byte); ordinary streams pass through unchanged and without delay.
import t from 'tap';
import { MIN_SECRET_LENGTH, REDACTED, SecretMatcher, secretForms } from '../../../../filters/llm/proxy/secret-scrubber.js';

const KEY = 'sk-prov-X/a+b=c"d';
const matcher = SecretMatcher.of([KEY])!;

/** Text, expected text after scrubbing. */
const TABLE: Array<[string, string]> = [
  [`Incorrect API key provided: Bearer ${KEY}`, `Incorrect API key provided: Bearer ${REDACTED}`],
  [`${KEY}${KEY}`, `${REDACTED}${REDACTED}`],
  [`q=${encodeURIComponent(KEY)}&x=1`, `q=${REDACTED}&x=1`],
  [`q=${encodeURIComponent(KEY).toLowerCase().replace('sk-prov-x', 'sk-prov-X')}`, `q=${REDACTED}`],
  [JSON.stringify({ message: `bad ${KEY}` }), `{"message":"bad ${REDACTED}"}`],
  [JSON.stringify({ message: `bad ${KEY}` }).replace('/', '\\/'), `{"message":"bad ${REDACTED}"}`],
  ['sk-prov-X/a+b=c is not the key', 'sk-prov-X/a+b=c is not the key'],
  ['data: {"choices":[{"delta":{"content":"sk-"}}]}\n\n', 'data: {"choices":[{"delta":{"content":"sk-"}}]}\n\n'],
  ['ssk-prov-sk-prov-X/a+b=c"d!', `ssk-prov-${REDACTED}!`],
  ['', ''],
];

/** Feeds pieces through a stream scrubber and returns what came out, with the end. */
function streamed(pieces: readonly string[], m = matcher): string {
  const s = m.stream();
  const out: Buffer[] = [];
  for (const p of pieces) out.push(s.push(Buffer.from(p)));
  out.push(s.end());
  return Buffer.concat(out).toString();
}

t.test('whole buffers', async (t) => {
  for (const [input, want] of TABLE) t.equal(matcher.scrub(Buffer.from(input)).toString(), want, JSON.stringify(input));
  const untouched = Buffer.from('nothing to see');
  t.equal(matcher.scrub(untouched), untouched, 'the same buffer when nothing matched');
});

t.test('split at every offset into two and three pieces, and byte by byte', async (t) => {
  let cases = 0;
  for (const [input, want] of TABLE) {
    for (let i = 0; i <= input.length; i++) {
      if (streamed([input.slice(0, i), input.slice(i)]) !== want) t.fail(`two pieces at ${i}: ${JSON.stringify(input)}`);
      cases++;
      for (let j = i; j <= input.length; j++) {
        if (streamed([input.slice(0, i), input.slice(i, j), input.slice(j)]) !== want) t.fail(`three pieces at ${i},${j}: ${JSON.stringify(input)}`);
        cases++;
      }
    }
    t.equal(streamed([...input]), want, `byte by byte: ${JSON.stringify(input)}`);
  }
  t.ok(cases > 5000, `${cases} splits checked`);
});

t.test('a stream holds bytes back only while its tail starts a secret', async (t) => {
  const s = matcher.stream();
  const event = Buffer.from('data: {"x":1}\n\n');
  t.equal(s.push(event), event, 'an ordinary event passes as the same buffer, at once');
  t.equal(s.push(Buffer.from('hello sk-pr')).toString(), 'hello ', 'the start of a secret is held');
  t.equal(s.held, 5);
  t.equal(s.push(Buffer.from('ivate')).toString(), 'sk-private', 'released once it cannot be a secret');
  t.equal(s.held, 0);
  t.equal(s.push(Buffer.from('tail sk-prov-X/a')).toString(), 'tail ');
  t.equal(s.end().toString(), 'sk-prov-X/a', 'the end releases a tail that never became a secret');
});

t.test('several secrets, short values ignored, forms deduplicated', async (t) => {
  const m = SecretMatcher.of(['short', 'first-secret-1', 'second-secret-2'])!;
  t.equal(m.scrub(Buffer.from('a first-secret-1 b second-secret-2 c short')).toString(), `a ${REDACTED} b ${REDACTED} c short`);
  t.equal(streamed(['a first-sec', 'ret-1 second-', 'secret-2'], m), `a ${REDACTED} ${REDACTED}`);
  t.equal(SecretMatcher.of(['x'.repeat(MIN_SECRET_LENGTH - 1), '']), undefined, 'nothing to match');
  t.same(secretForms('plainkey123'), ['plainkey123'], 'a plain key has one form');
  t.same(m.scrubHeaders({ a: 'first-secret-1', b: ['ok', 'x second-secret-2'] }), { a: REDACTED, b: ['ok', `x ${REDACTED}`] });
  const h = { a: 'fine' };
  t.equal(m.scrubHeaders(h), h, 'the same headers object when nothing matched');
});
