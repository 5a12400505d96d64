// The tokenizer's shortcuts give the answers of the full parse: usage from a unary body's ends only when it
// is provably the top-level member, content events ruled out by bytes only when they cannot carry usage, and the
// events cut by core/sse's block reader.
import t from 'tap';
import { SseBlockReader } from '../../../../core/index.js';
import { usageAtTop } from '../../../../filters/llm/tokenizer/json-tail.js';
import { ChunkUsageScan, UsageTracker, mayHoldUsage } from '../../../../filters/llm/tokenizer/usage.js';
import { scanUsageAtTop } from '../../../../filters/llm/tokenizer/usage-bytes.js';
import { openaiStream, openaiUnary } from './upstream-shapes.js';

const usage = { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7, prompt_tokens_details: { cached_tokens: 1 } };

t.test('usageAtTop: the top-level usage and model of an OpenAI-style body', async (t) => {
  const body = Buffer.from(openaiUnary());
  const full = JSON.parse(body.toString('utf8')) as { model: string; usage: unknown };
  t.same(usageAtTop(body), { usage: full.usage, model: full.model });
  const padded = JSON.stringify({ id: 'x', model: 'm-1', choices: [{ message: { content: 'x'.repeat(20_000) + '"usage":{"n":1}' } }], usage });
  t.same(usageAtTop(Buffer.from(`  ${padded}\n`)), { usage, model: 'm-1' }, 'a long body: only its two ends are read');
});

t.test('the byte scan answers exactly as the string scan over the same ends (body shapes)', async (t) => {
  // Bodies built from pieces that each trip one rule: usage keys in strings, nested or late model keys, whitespace,
  // multi-byte text, long names and bodies around the 4 KB window. Deterministic pseudo-random choices.
  let seed = 7;
  const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
  const pick = <T>(xs: T[]): T => xs[rnd(xs.length)]!;
  const ws = ['', ' ', '\n  ', '\t'];
  let answered = 0;
  for (let i = 0; i < 2000; i++) {
    const members: string[] = [];
    const add = (k: string, v: string): void => void members.push(`${pick(ws)}"${k}"${pick(ws)}:${pick(ws)}${v}`);
    if (rnd(4) === 0) add('message', `{"model":"nested","usage":{"prompt_tokens":1}}`);
    if (rnd(3) > 0) add('id', JSON.stringify(pick(['x', 'a "model": "fake"', 'a "usage":{"n":2}', 'é'.repeat(rnd(3000))])));
    if (rnd(5) > 0) add('model', JSON.stringify(pick(['gpt-4o', 'm'.repeat(rnd(300)), 'modèle', 'a\\"b'])));
    add('choices', JSON.stringify([{ message: { content: pick(['hi', 'x'.repeat(rnd(6000)), '"usage":{"bad":1}']) } }]));
    if (rnd(5) > 0) add(pick(['usage', 'usage', 'usages']), pick([JSON.stringify(usage), 'null', '{"prompt_tokens":2', '{ "prompt_tokens" : 5 }']));
    if (rnd(4) === 0) add('system_fingerprint', '"fp"');
    const body = Buffer.from(`${pick(ws)}{${members.join(',')}${pick(ws)}}${pick(['', '\n', ' x'])}`);
    const slow = usageAtTop(body);
    const fast = scanUsageAtTop(body);
    if (slow !== undefined) answered++;
    if (fast === undefined) continue; // declined: the string scan decides, as readUnary does
    const a = new UsageTracker();
    a.observeScanned(fast.usage, fast.model);
    const b = new UsageTracker();
    if (slow !== undefined) b.observeParts(slow);
    if (JSON.stringify([a.result(), a.model, a.rawForLog()]) !== JSON.stringify([b.result(), b.model, b.rawForLog()])) {
      t.fail(`body ${i} differs: ${body.toString('utf8').slice(0, 300)}`);
      return;
    }
  }
  t.ok(answered > 200, `the generated bodies include answerable ones (${answered})`);
  t.pass('2000 generated bodies: the same answers');
});

t.test('usage numbers read from the bytes equal the parsed usage object, field for field', async (t) => {
  // Usage objects of every shape fromUsage reads (OpenAI, Anthropic, details objects), with duplicate keys, nulls,
  // non-numbers, fractions, exponents, negatives and nesting; bodies with model keys the scan must decline.
  let seed = 11;
  const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
  const pick = <T>(xs: T[]): T => xs[rnd(xs.length)]!;
  const keys = ['prompt_tokens', 'completion_tokens', 'total_tokens', 'input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens', 'other', 'prompt_tokens_details', 'completion_tokens_details', 'input_tokens_details', 'output_tokens_details'];
  const values = ['12', '0', '3.7', '1e2', '-4', '"7"', 'null', 'true', '[1,2]', '{"cached_tokens":5}', '{"reasoning_tokens":2,"x":{"y":[1]}}', '{"cached_tokens":null}', '{}', '01', '1.', '2E+1'];
  const ws = ['', ' ', '\n'];
  let scanned = 0;
  for (let i = 0; i < 3000; i++) {
    const members: string[] = [];
    for (let k = rnd(7); k >= 0; k--) members.push(`${pick(ws)}"${pick(keys)}"${pick(ws)}:${pick(ws)}${pick(values)}`);
    const usageText = `{${members.join(',')}}`;
    const model = pick(['"gpt-4o-mini"', '"claude-3"', '"m\\u00e9"', '"modèle"', '3']);
    const head = pick([`{"id":"x","model":${model}`, `{"model":${model}`, `{"message":{"model":"n"},"model":${model}`, `{"id":"a \\"model\\": x","model":${model}`]);
    const body = Buffer.from(`${head},"usage":${pick(ws)}${usageText}${pick(['', ',"x":1'])}}${pick(['', '\n'])}`);
    const fast = scanUsageAtTop(body);
    if (fast === undefined) continue;
    scanned++;
    const parts = usageAtTop(body);
    if (parts === undefined) {
      t.fail(`the scan answered where the slow path declines: ${body.toString('utf8')}`);
      return;
    }
    const a = new UsageTracker();
    a.observeScanned(fast.usage, fast.model);
    const b = new UsageTracker();
    b.observeParts(parts);
    if (JSON.stringify([a.result(), a.model, a.found]) !== JSON.stringify([b.result(), b.model, b.found]) || JSON.stringify(a.rawForLog()) !== JSON.stringify(b.rawForLog())) {
      t.fail(`body ${i} differs: ${body.toString('utf8')}: ${JSON.stringify([a.result(), a.model])} vs ${JSON.stringify([b.result(), b.model])}`);
      return;
    }
  }
  t.ok(scanned > 500, `the byte scan answered for ${scanned} of 3000 bodies`);
  const real = scanUsageAtTop(Buffer.from(openaiUnary()));
  t.ok(real !== undefined, 'an OpenAI answer is read by the byte scan');
});

t.test('usageAtTop gives up (the caller parses the whole body) unless it can prove the answer', async (t) => {
  const cases: Array<[string, unknown]> = [
    ['usage nested in a member', { model: 'm', message: { usage } }],
    ['usage nested, a top-level member after it', { model: 'm', message: { usage }, id: 'x' }],
    ['no usage', { model: 'm', choices: [] }],
    ['usage is null', { model: 'm', usage: null }],
    ['model nested only', { message: { model: 'm' }, usage }],
    ['model not a string', { model: 3, usage }],
    ['an array body', [{ model: 'm', usage }]],
  ];
  for (const [name, value] of cases) t.equal(usageAtTop(Buffer.from(JSON.stringify(value))), undefined, name);
  t.equal(usageAtTop(Buffer.from(`${JSON.stringify({ model: 'm', usage })} trailing`)), undefined, 'text after the object');
  t.same(usageAtTop(Buffer.from(JSON.stringify({ model: 'm', note: 'a "usage": {"x":1} } inside a string', usage }))), { usage, model: 'm' });
});

t.test('mayHoldUsage: false only when the event cannot carry a usage object', async (t) => {
  const yes = ['data: {"usage":{"a":1}}\n\n', 'data: {"x":1, "usage" : {"a":1}}\n\n', 'data: {"usageMetadata":{"a":1}}\n\n', 'data: {"usage"\ndata: :{"a":1}}\n\n'];
  const no = ['data: {"usage":null}\n\n', 'data: {"choices":[{"delta":{"content":"usage"}}]}\n\n', 'data: [DONE]\n\n', 'data: {"usages":{"a":1}}\n\n', ': comment\n\n'];
  for (const e of yes) t.ok(mayHoldUsage(Buffer.from(e)), e);
  for (const e of no) t.notOk(mayHoldUsage(Buffer.from(e)), e);
});

t.test('ChunkUsageScan agrees with mayHoldUsage for every event of a chunk, with and without usage', async (t) => {
  for (const text of [openaiStream({ includeUsage: true }), openaiStream({ includeUsage: false })]) {
    const chunk = Buffer.from(text);
    const events = new SseBlockReader(1 << 20).feed(chunk);
    const scan = new ChunkUsageScan(chunk);
    t.same(
      events.map((e) => scan.mayHold(e)),
      events.map((e) => mayHoldUsage(e)),
    );
  }
});

