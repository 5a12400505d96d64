// The LLM exchange the proxy publishes, in all nine client × provider directions, unary and streamed: a subscriber
// gets the same pivot items the provider's answer holds (decoded straight from the upstream fixture) and the same
// normalised usage, whether the answer is translated, passed through by a codec, or Pixiu's pure pass-through.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { LlmTokenUsage, SseParser } from '../../../../core/index.js';
import {
  LlmExchangeKey,
  coalesceItems,
  defaultCodecContext,
  itemsOfCompletion,
  responseItemsOf,
  type LlmUsage,
  type ResponseItem,
  type WireApi,
} from '../../../../core/llm/index.js';
import { CLIENT_APIS, MANIFESTS, clientPath, codec, readFixture, readJson, recorder } from '../../../adapters/provider/helpers.js';
import { drainBody } from '../../../helpers/request-context.js';
import { proxyHarness } from './helpers/setup.js';

const plugins = Object.values(MANIFESTS);
const PROVIDERS: readonly WireApi[] = ['openai', 'anthropic', 'gemini'];

/** Every fixture reports the same answer size; each provider counts it its own way. */
const USAGE: Record<WireApi, LlmUsage> = {
  openai: { input: 220, output: 48, cache_read: 64, cache_write: 0, reasoning: 0, total: 268 },
  anthropic: { input: 220, output: 48, cache_read: 64, cache_write: 16, reasoning: 0, total: 268 },
  gemini: { input: 220, output: 48, cache_read: 64, cache_write: 0, reasoning: 12, total: 268 },
};

/** A provider serving its fixtures, the stream in 37-byte pieces so events straddle chunks. */
async function fixtureUpstream(api: WireApi): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer(async (req: IncomingMessage, res) => {
    const parts: Buffer[] = [];
    for await (const c of req) parts.push(c as Buffer);
    const body = parts.length > 0 ? (JSON.parse(Buffer.concat(parts).toString('utf8')) as { stream?: boolean }) : {};
    if (body.stream === true || (req.url ?? '').includes(':streamGenerateContent')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const sse = readFixture(`upstream/${api}/stream.sse`);
      for (let i = 0; i < sse.length; i += 37) res.write(sse.subarray(i, i + 37));
      res.end();
      return;
    }
    const json = readFixture(`upstream/${api}/response.json`);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(json.length) });
    res.end(json);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

/** Tool-call ids some providers leave out are made up per answer: compared without them. */
function comparable(items: readonly ResponseItem[]): ResponseItem[] {
  return coalesceItems(items).map((i) => {
    if (i.type !== 'tool_call') return i;
    const { id: _id, ...rest } = i;
    return rest as ResponseItem;
  });
}

/** The items the provider's answer holds, read from the fixture with the provider's own codec. */
function expectedItems(api: WireApi, stream: boolean): ResponseItem[] {
  const c = codec(api);
  const cx = defaultCodecContext({ log: recorder(), provider: api, model: 'chat-default', stream, includeUsage: false, query: '', settings: c.settings });
  if (!stream) return comparable(itemsOfCompletion(c.upstream.toChat(readJson(`upstream/${api}/response.json`), cx)));
  const decoder = c.upstream.createDecoder(cx);
  const out: ResponseItem[] = [];
  for (const ev of new SseParser().feed(readFixture(`upstream/${api}/stream.sse`))) responseItemsOf(decoder.write(ev), out);
  responseItemsOf(decoder.end(), out);
  return comparable(out);
}

for (const provider of PROVIDERS) {
  t.test(`${provider} provider`, async (t) => {
    const up = await fixtureUpstream(provider);
    const h = await proxyHarness([{ id: provider, to: up.port, llm: { provider, api_key: 'sk-test-key-1234', scheme: 'http' } }], {}, { plugins });
    t.teardown(async () => (await h.close(), await up.close()));
    for (const client of CLIENT_APIS) {
      for (const stream of [false, true]) {
        const where = clientPath(client, 'chat-default', stream);
        const body = readJson<Record<string, unknown>>(`requests/${client}.json`);
        if (client !== 'gemini' && stream) body.stream = true;
        const url = where.query === '' ? where.path : `${where.path}?${where.query}`;
        const ctx = await h.run({ url, body, clientApi: client });
        t.equal(ctx.response.status, 200, `${client} → ${provider} ${stream ? 'stream' : 'unary'}: status`);
        const lx = ctx.get(LlmExchangeKey)!;
        t.ok(lx, 'the exchange is published');
        t.match(lx.target, { provider, api: provider, endpoint: provider, passthrough: client === provider });
        const items: ResponseItem[] = [];
        lx.subscribe((i) => items.push(i));
        await drainBody(ctx);
        h.filter.onComplete(ctx);
        const name = `${client} client → ${provider} provider, ${stream ? 'stream' : 'unary'}`;
        t.same(comparable(items), expectedItems(provider, stream), `${name}: items`);
        t.ok(items.some((i) => i.type === 'text') && items.some((i) => i.type === 'finish'), `${name}: text and a finish reason`);
        t.same(lx.usage(), USAGE[provider], `${name}: usage`);
        t.match(ctx.get(LlmTokenUsage), { prompt: 220, completion: 48, total: 268, cached: 64, source: 'upstream' }, `${name}: LlmTokenUsage`);
        const pivot = await lx.request();
        t.ok(pivot !== undefined && Array.isArray(pivot.messages) && pivot.messages.length > 0, `${name}: the request in pivot form`);
      }
    }
  });
}
