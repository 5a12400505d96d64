// Golden fixtures for every client API × provider: the upstream request (path, headers, body), and for translated
// pairs the unary response, the stream and each provider error as the client receives them. Same-API pairs must pass
// the upstream bytes through untouched. Regenerate with DGP_UPDATE_GOLDEN=1 (then review the diff).
import t from 'tap';
import type { WireApi } from '../../../core/llm/index.js';
import type { TapTest as Tap } from '../../helpers/conformance.js';
import {
  CLIENT_APIS,
  PROVIDERS,
  bareExchange,
  exchange,
  golden,
  noContext,
  pretty,
  readFixture,
  readJson,
  translateStream,
  upstreamDir,
  type ProviderName,
} from './helpers.js';

const API_OF: Record<ProviderName, WireApi> = { openai: 'openai', 'azure-openai': 'openai', anthropic: 'anthropic', gemini: 'gemini' };

interface UpstreamError {
  name: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

function streamBody(client: WireApi): unknown {
  const body = readJson<Record<string, unknown>>(`requests/${client}.json`);
  // An OpenAI client that asks for usage gets the final usage chunk; the others always get usage.
  return client === 'openai' ? { ...body, stream_options: { include_usage: true } } : body;
}

function check(tt: Tap, rel: string, actual: string): void {
  const expected = golden(rel, actual);
  if (expected === undefined) tt.fail(`missing golden file ${rel}: run with DGP_UPDATE_GOLDEN=1`);
  else tt.equal(actual, expected, rel);
}

for (const client of CLIENT_APIS) {
  for (const provider of PROVIDERS) {
    const dir = `golden/${client}-to-${provider}`;
    const passthrough = API_OF[provider] === client;
    t.test(`${client} client → ${provider} provider`, async (tt) => {
      const unaryLx = bareExchange(client);
      const streamedLx = bareExchange(client);
      const unary = exchange({ clientApi: client, provider, body: readJson(`requests/${client}.json`), lx: unaryLx });
      const streamed = exchange({ clientApi: client, provider, body: streamBody(client), stream: true, lx: streamedLx });
      tt.equal(unary.passthrough, passthrough, `passthrough is ${passthrough}`);
      const plan = (ex: typeof unary) => ({ ...ex.request, body: ex.request.body ? JSON.parse(ex.request.body.toString('utf8')) : undefined });
      check(tt, `${dir}/request.json`, pretty(plan(unary)));
      check(tt, `${dir}/request-stream.json`, pretty(plan(streamed)));

      const up = upstreamDir(provider);
      const upstreamBody = readFixture(`${up}/response.json`);
      const upstreamStream = readFixture(`${up}/stream.sse`);
      const errors = readJson<UpstreamError[]>(`${up}/errors.json`);
      const errorBytes = (e: UpstreamError) => Buffer.from(typeof e.body === 'string' ? e.body : JSON.stringify(e.body));

      if (passthrough) {
        const r = unary.translateBody(200, { 'content-type': 'application/json' }, upstreamBody);
        tt.ok(r.keepUpstreamHeaders, 'upstream headers pass through');
        tt.equal(r.body, upstreamBody, 'unary bytes pass through untouched');
        tt.same(translateStream(streamed, [upstreamStream]), upstreamStream, 'stream bytes pass through untouched');
        for (const e of errors) {
          const out = unary.translateBody(e.status, e.headers, errorBytes(e));
          tt.same([out.status, out.body], [e.status, errorBytes(e)], `${e.name} error passes through`);
        }
        tt.equal(unaryLx.settle(noContext), undefined, 'the translation reads nothing on pass-through (the proxy taps it)');
        return;
      }
      const r = unary.translateBody(200, { 'content-type': 'application/json' }, upstreamBody);
      check(tt, `${dir}/response.json`, pretty({ status: r.status, headers: r.headers, body: JSON.parse(r.body.toString('utf8')) }));
      tt.match(unaryLx.settle(noContext), { total: Number }, 'the exchange has the usage of a translated response');
      check(tt, `${dir}/stream.txt`, translateStream(streamed, [upstreamStream]).toString('utf8'));
      tt.match(streamedLx.settle(noContext), { total: Number }, 'the exchange has the usage of a translated stream');
      const translated = errors.map((e) => {
        const out = unary.translateBody(e.status, e.headers, errorBytes(e));
        return { name: e.name, upstreamStatus: e.status, status: out.status, headers: out.headers, body: JSON.parse(out.body.toString('utf8')) };
      });
      check(tt, `${dir}/errors.json`, pretty(translated));
    });
  }
}
