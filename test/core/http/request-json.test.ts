// The request's JSON view: json() parses once, jsonIfParsed() gives the value without a promise only once parsed, and
// setBody — even while a parse is pending — always wins over the body as it came.
import t from 'tap';
import { testContext } from '../../helpers/request-context.js';

t.test('jsonIfParsed is undefined until json() has parsed, then the same value', async (t) => {
  const ctx = testContext({ body: { model: 'm', messages: [] } });
  t.equal(ctx.request.jsonIfParsed(), undefined, 'nothing parsed yet, and asking starts no read');
  const v = await ctx.request.json<{ model: string }>();
  t.equal(v.model, 'm');
  t.equal(ctx.request.jsonIfParsed()?.value, v, 'the parsed object itself');
});

t.test('a body that is not JSON never shows as parsed', async (t) => {
  const ctx = testContext({ body: '{not json', headers: { 'content-type': 'application/json' } });
  await t.rejects(ctx.request.json(), { code: 'DGP_ERR_HTTP_BAD_JSON' });
  t.equal(ctx.request.jsonIfParsed(), undefined);
});

t.test('setBody with an object is parsed at once; with bytes it is not', async (t) => {
  const ctx = testContext({ body: { a: 1 } });
  const replaced = { a: 2 };
  ctx.request.setBody(replaced);
  t.equal(ctx.request.jsonIfParsed()?.value, replaced);
  ctx.request.setBody(Buffer.from('{"a":3}'));
  t.equal(ctx.request.jsonIfParsed(), undefined, 'bytes are parsed only when asked');
  t.same(await ctx.request.json(), { a: 3 });
  t.same(ctx.request.jsonIfParsed()?.value, { a: 3 });
});

t.test('a parse still pending when setBody replaces the body does not bring the old body back', async (t) => {
  const ctx = testContext({ body: { a: 'original' } });
  const pending = ctx.request.json<{ a: string }>();
  const replaced = { a: 'replaced' };
  ctx.request.setBody(replaced);
  t.equal((await pending).a, 'original', 'the caller of the first json() gets what it asked for');
  t.equal(ctx.request.jsonIfParsed()?.value, replaced, 'the view stays on the replacement');
  t.equal(await ctx.request.json(), replaced);
});
