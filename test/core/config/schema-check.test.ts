// checkAgainstSchema on hand-written JSON Schema (as a plain-JS plugin writes it) and on TypeBox schemas:
// defaults applied into a clone, and human messages with hints.
import t from 'tap';
import Type from 'typebox';
import { checkAgainstSchema } from '../../../core/config/schema-check.js';

// What a plain-JS plugin without TypeBox would export as configSchema.
const plain = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: {
    url: { type: 'string' },
    mode: { enum: ['fast', 'safe'], default: 'safe' },
    retry: {
      type: 'object',
      additionalProperties: false,
      properties: { max_attempts: { type: 'integer', minimum: 0, default: 3 }, backoff: { type: 'string', default: '100ms' } },
    },
    targets: {
      type: 'array',
      default: [],
      items: { type: 'object', additionalProperties: false, required: ['host'], properties: { host: { type: 'string' }, weight: { type: 'number', default: 1 } } },
    },
    labels: { type: 'object', patternProperties: { '^.*$': { type: 'object', properties: { v: { type: 'string', default: 'x' } } } } },
  },
};

t.test('defaults: nested objects are created, array items and records filled, the input untouched', async (t) => {
  const input = { url: 'http://a', targets: [{ host: 'h1' }, { host: 'h2', weight: 5 }], labels: { a: {} } };
  const { value, issues } = checkAgainstSchema(plain, input);
  t.same(issues, []);
  t.same(value, { url: 'http://a', mode: 'safe', retry: { max_attempts: 3, backoff: '100ms' }, targets: [{ host: 'h1', weight: 1 }, { host: 'h2', weight: 5 }], labels: { a: { v: 'x' } } });
  t.same(input, { url: 'http://a', targets: [{ host: 'h1' }, { host: 'h2', weight: 5 }], labels: { a: {} } });
  const again = checkAgainstSchema(plain, { url: 'u' });
  t.not(again.value, value);
  t.same((again.value as { targets: unknown[] }).targets, [], 'default arrays are fresh copies');
});

t.test('unknown fields get a did-you-mean, or the list of allowed fields', async (t) => {
  const { issues } = checkAgainstSchema(plain, { url: 'u', retyr: {}, zzz: 1 });
  t.same(issues, [
    { pointer: '/retyr', message: 'unknown field "retyr"', hint: 'did you mean "retry"?' },
    { pointer: '/zzz', message: 'unknown field "zzz"', hint: 'allowed fields: url, mode, retry, targets, labels' },
  ]);
});

t.test('enums, types, required fields, limits', async (t) => {
  const { issues } = checkAgainstSchema(plain, { mode: 'fats', retry: { max_attempts: -1 }, targets: [{ weight: 'x' }] });
  t.same(issues, [
    { pointer: '/url', message: 'missing required field "url"' },
    { pointer: '/mode', message: 'must be one of fast, safe (got string "fats")', hint: 'did you mean "fast"?' },
    { pointer: '/retry/max_attempts', message: 'must be >= 0 (got number -1)' },
    { pointer: '/targets/0/host', message: 'missing required field "host"' },
    { pointer: '/targets/0/weight', message: 'expected number, got string "x"' },
  ]);
});

t.test('TypeBox unions collapse to one message per pointer', async (t) => {
  const schema = Type.Object(
    {
      lb_policy: Type.Union([Type.Literal('Rand'), Type.Literal('RoundRobin'), Type.Literal('RingHashing')]),
      timeout: Type.Optional(Type.Union([Type.String(), Type.Number()])),
      target: Type.Optional(
        Type.Union([
          Type.Object({ host: Type.String() }, { additionalProperties: false }),
          Type.Object({ url: Type.String(), insecure: Type.Optional(Type.Boolean({ default: false })) }, { additionalProperties: false }),
        ]),
      ),
    },
    { additionalProperties: false },
  );
  const bad = checkAgainstSchema(schema, { lb_policy: 'round_robin', timeout: true, target: { url: 5 } });
  t.same(bad.issues, [
    { pointer: '/lb_policy', message: 'must be one of Rand, RoundRobin, RingHashing (got string "round_robin")', hint: 'did you mean "RoundRobin"?' },
    { pointer: '/timeout', message: 'expected string or number, got boolean true' },
    { pointer: '/target/url', message: 'expected string, got number 5' },
  ]);
  const good = checkAgainstSchema(schema, { lb_policy: 'Rand', target: { url: 'u' } });
  t.same(good, { value: { lb_policy: 'Rand', target: { url: 'u', insecure: false } }, issues: [] }, 'defaults of the matching branch apply');
});

t.test('all problems are reported, not just the first eight', async (t) => {
  const schema = { type: 'object', properties: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}`, { type: 'integer' }])) };
  const value = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}`, 'x']));
  t.equal(checkAgainstSchema(schema, value).issues.length, 20);
});

t.test('an absent object marked x-dgp-keep-absent stays absent', async (t) => {
  const schema = { type: 'object', properties: { a: { type: 'object', properties: { x: { type: 'number', default: 1 } } }, b: { type: 'object', 'x-dgp-keep-absent': true, properties: { x: { type: 'number', default: 1 } } } } };
  t.same(checkAgainstSchema(schema, {}).value, { a: { x: 1 } });
  t.same(checkAgainstSchema(schema, { b: {} }).value, { a: { x: 1 }, b: { x: 1 } });
});

t.test('a missing object with a required field without default is not invented', async (t) => {
  const schema = { type: 'object', properties: { a: { type: 'object', required: ['k'], properties: { k: { type: 'string' }, x: { type: 'number', default: 1 } } } } };
  t.same(checkAgainstSchema(schema, {}), { value: {}, issues: [] });
});
