// The translators under fuzzing (issue 19 item 10): client requests OpenAI ⇄ Anthropic ⇄ Gemini (every client API to
// every provider, same-API pass-through included), streamed upstream answers fed in random pieces, and unary and error
// answers, from the seed corpus in test/fixtures/fuzz/translation (every input that ever failed is kept there) plus
// the provider fixtures, then seeded mutations for a bounded time. Properties: a request either translates to a JSON
// body or is refused with a coded DgpError (as the proxy would answer it: depth checked first); a stream or a unary
// answer never throws and never shows engine text ("Cannot read properties") to the client; each input is bounded in
// time. `DGP_FUZZ_MS=120000 DGP_FUZZ_SEED=7 npx tap test/core/llm/translation-fuzz.test.ts` runs longer by hand.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { isDgpError } from '../../../core/index.js';
import { createTranslation, detectOperation, type AttemptTranslation, type ProviderCodec, type WireApi } from '../../../core/llm/index.js';
import { assertJsonDepth } from '../../../filters/llm/proxy/json-depth.js';
import { CLIENT_APIS, MANIFESTS, PROVIDERS, clientPath, readFixture, recorder, upstreamDir } from '../../adapters/provider/helpers.js';
import { stubFactoryContext } from '../../helpers/factory-context.js';
import { ENGINE_TEXT, fuzzLoop, fuzzSettings, type Fuzz } from '../../helpers/fuzz.js';

const CORPUS = fileURLToPath(new URL('../../fixtures/fuzz/translation/', import.meta.url));
const MAX_MS_PER_INPUT = 1000;

/** One fuzz input, as stored in the corpus: a client request, an upstream stream, or an upstream unary answer. */
interface TranslationCase {
  kind: 'request' | 'stream' | 'unary';
  client: WireApi;
  provider: string;
  stream: boolean;
  /** Gemini clients: stream as SSE (`alt=sse`) or as a JSON array. */
  sse?: boolean;
  /** request: the client's body. */
  body?: unknown;
  /** stream: the upstream bytes, and where they are split. */
  text?: string;
  cuts?: number[];
  /** unary: the upstream status and body. */
  status?: number;
  modelMap?: Record<string, string>;
}

const codecs = new Map<string, ProviderCodec>();
function codec(name: string): ProviderCodec {
  let c = codecs.get(name);
  if (c === undefined) {
    c = MANIFESTS[name]!.create({}, stubFactoryContext({ kind: MANIFESTS[name]!.kind })) as ProviderCodec;
    codecs.set(name, c);
  }
  return c;
}

function translation(c: TranslationCase, body: unknown, log = recorder()): AttemptTranslation {
  const where = clientPath(c.client, 'chat-default', c.stream);
  const query = c.client === 'gemini' && c.stream ? (c.sse === false ? '' : 'alt=sse') : where.query;
  let n = 0;
  return createTranslation({
    clientApi: c.client,
    request: { operation: detectOperation(where.path)!.operation, method: 'POST', path: where.path, query, headers: {}, body },
    rawBody: Buffer.from(JSON.stringify(body) ?? ''),
    endpoint: { llmMeta: { provider: c.provider, api_key: 'sk-endpoint', fallback: false, health_check_interval: 0, retry_policy: { name: 'NoRetry', config: {} }, ...(c.modelMap ? { model_map: c.modelMap } : {}) } },
    clientCodec: codec(c.client),
    providerCodec: codec(c.provider),
    log,
    newId: (prefix) => `${prefix}fuzz${++n}`,
    now: () => 1700000000,
  });
}

const seedRequest = (api: WireApi): Record<string, unknown> => JSON.parse(readFixture(`requests/${api}.json`).toString()) as Record<string, unknown>;
const withStream = (api: WireApi, body: unknown, stream: boolean): unknown =>
  api !== 'gemini' && body !== null && typeof body === 'object' && !Array.isArray(body) ? { ...body, stream } : body;

function engineText(what: string, text: string): string | undefined {
  const m = ENGINE_TEXT.exec(text);
  return m === null ? undefined : `engine text in the ${what}: …${text.slice(Math.max(0, m.index - 80), m.index + 80)}…`;
}

/** Runs one case; returns what went wrong, or undefined. */
function checkCase(c: TranslationCase): string | undefined {
  const started = performance.now();
  const problem = runCase(c);
  const ms = performance.now() - started;
  return problem ?? (ms > MAX_MS_PER_INPUT ? `took ${Math.round(ms)} ms` : undefined);
}

/** A throw the translators may make: a coded DgpError whose words hold no engine text. */
function codedOrProblem(what: string, err: unknown): string | undefined {
  if (!isDgpError(err)) return `${what}: a non-coded ${(err as Error)?.name}: ${(err as Error)?.stack ?? String(err)}`;
  return engineText(`${what} error`, `${err.message} ${err.hint ?? ''}`);
}

function runCase(c: TranslationCase): string | undefined {
  let ex: AttemptTranslation;
  const log = recorder();
  const body = c.kind === 'request' ? c.body : withStream(c.client, seedRequest(c.client), c.stream);
  try {
    assertJsonDepth(body);
    ex = translation(c, body, log);
    if (ex.request.body !== undefined) JSON.parse(ex.request.body.toString('utf8'));
  } catch (err) {
    if (c.kind !== 'request') return `the seed request failed: ${(err as Error).message}`;
    return codedOrProblem('request', err);
  }
  if (c.kind === 'request') return undefined;
  if (c.kind === 'unary') {
    try {
      // A coded throw is how the proxy learns the answer cannot be translated (a coded 502 for the client).
      const out = ex.translateBody(c.status ?? 200, { 'content-type': 'application/json' }, Buffer.from(c.text ?? ''));
      return engineText('unary answer', out.body.toString('utf8'));
    } catch (err) {
      return codedOrProblem('unary answer', err);
    }
  }
  const { translator } = ex.openStream(200, { 'content-type': 'text/event-stream' });
  const bytes = Buffer.from(c.text ?? '');
  const cuts = [...(c.cuts ?? [])].filter((x) => x > 0 && x < bytes.length).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(translator.feed(bytes.subarray(from, cut)));
    from = cut;
  }
  out.push(translator.end());
  out.push(translator.error({ status: 502, kind: 'server', message: 'cut' }));
  // The stream translator turns a decoder's throw into an error event and logs it: a non-coded one is a crash.
  const crash = log.records.map((r) => (r.obj as { err?: unknown }).err).find((err) => err !== undefined && !isDgpError(err));
  if (crash !== undefined) return codedOrProblem('stream event', crash);
  return engineText('client stream', Buffer.concat(out).toString('utf8'));
}

/** A mutated stream: events' JSON edited as values, then a few text edits, split at random points. */
function mutateStream(f: Fuzz, text: string): string {
  const lines = text.split('\n').map((line) => {
    if (!line.startsWith('data: ') || !f.chance(0.3)) return line;
    try {
      return `data: ${JSON.stringify(f.mutateValue(JSON.parse(line.slice(6))))}`;
    } catch {
      return line;
    }
  });
  const edited = lines.join('\n');
  return f.chance(0.5) ? f.mutateText(edited, 1 + f.int(3)) : edited;
}

function makeCase(f: Fuzz, corpus: readonly TranslationCase[]): TranslationCase {
  if (corpus.length > 0 && f.chance(0.2)) {
    const base = structuredClone(f.pick(corpus));
    if (base.body !== undefined) base.body = f.mutateValue(base.body);
    if (base.text !== undefined) base.text = base.kind === 'stream' ? mutateStream(f, base.text) : f.mutateText(base.text);
    return base;
  }
  const client = f.pick(CLIENT_APIS);
  const provider = f.pick(PROVIDERS);
  const stream = f.chance(0.5);
  const common = { client, provider, stream, sse: f.chance(0.8), ...(f.chance(0.2) ? { modelMap: { 'chat-default': 'real-model' } } : {}) };
  const kind = f.pick(['request', 'request', 'stream', 'stream', 'unary'] as const);
  if (kind === 'request') return { ...common, kind, body: withStream(client, f.mutateValue(seedRequest(client)), stream) };
  const dir = upstreamDir(provider);
  if (kind === 'stream') {
    const text = mutateStream(f, readFixture(`${dir}/stream.sse`).toString('utf8'));
    return { ...common, kind, stream: true, text, cuts: Array.from({ length: f.int(8) }, () => f.int(text.length)) };
  }
  const errors = JSON.parse(readFixture(`${dir}/errors.json`).toString()) as Array<{ status: number; body: unknown }>;
  const ok = f.chance(0.5);
  const picked = ok ? { status: 200, body: JSON.parse(readFixture(`${dir}/response.json`).toString()) as unknown } : f.pick(errors);
  const text = f.chance(0.7) ? JSON.stringify(f.mutateValue(picked.body)) : f.mutateText(JSON.stringify(picked.body));
  return { ...common, kind, stream: false, status: picked.status, text };
}

const corpus: TranslationCase[] = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((name) => ({ name, ...(JSON.parse(readFileSync(join(CORPUS, name), 'utf8')) as TranslationCase) }));

t.test('translation fuzzing: the corpus, then seeded mutations for a bounded time', async (t) => {
  for (const c of corpus as Array<TranslationCase & { name: string }>) t.equal(checkCase(c), undefined, `corpus ${c.name}`);
  // Every client API against every provider, unmutated: the fixtures themselves must pass.
  for (const client of CLIENT_APIS) {
    for (const provider of PROVIDERS) {
      const dir = upstreamDir(provider);
      t.equal(checkCase({ kind: 'request', client, provider, stream: true, body: withStream(client, seedRequest(client), true) }), undefined, `${client} → ${provider} request`);
      t.equal(checkCase({ kind: 'stream', client, provider, stream: true, text: readFixture(`${dir}/stream.sse`).toString() }), undefined, `${client} → ${provider} stream`);
    }
  }
  const settings = fuzzSettings({ seed: 19, runs: 100_000, budgetMs: 12_000 });
  const result = await fuzzLoop(settings, (f) => JSON.stringify(makeCase(f, corpus)), (input) => checkCase(JSON.parse(input) as TranslationCase));
  t.comment(`seed ${settings.seed}: ${result.ran} mutated cases in ${Math.round(result.elapsedMs)} ms`);
  t.ok(result.ran >= 100, `${result.ran} inputs checked`);
  for (const f of result.failures) t.fail(`input #${f.index} (seed ${settings.seed}, ${f.count} alike): ${f.problem.slice(0, 1500)}`, { input: f.input.slice(0, 6000) });
  t.equal(result.failures.length, 0, 'no non-coded throw, no engine text toward a client, no slow input');
});
