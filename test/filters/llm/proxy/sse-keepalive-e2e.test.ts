// Reliability property 12 through the real gateway (tokenizer + proxy, real sockets): an upstream that goes silent
// mid-stream for 3x `sse_keepalive` (and until the client has seen two comments) — the client receives `: keep-alive`
// comments, each on an event boundary, the stream completes, and without the comments its bytes are the upstream's
// (pass-through) or a complete stream in the client's API (Anthropic, Gemini with alt=sse). No comment is written
// inside an unfinished event, into a non-SSE body (JSON, Gemini without alt=sse), or with `sse_keepalive: 0`; the
// tokenizer still counts the upstream's usage.
import t from 'tap';
import { request } from 'undici';
import { KEEP_ALIVE_COMMENT } from '../../../../filters/llm/proxy/sse-keepalive.js';
import { startGateway } from '../../../helpers/gateway.js';
import { accessLines, anthropicClient, gatewayYaml } from '../../../e2e/providers/helpers.js';
import { startScriptedUpstream } from './helpers/scripted-upstream.js';

const INTERVAL = 100;
const chunk = (delta: object, finish: string | null = null): string =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const USAGE = `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 } })}\n\n`;
const HEAD = chunk({ role: 'assistant', content: '' }) + chunk({ content: 'Hel' });
const REST = chunk({ content: 'lo' }) + chunk({}, 'stop') + USAGE + 'data: [DONE]\n\n';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What the client saw so far; the upstream waits on it to end its silence (no timing luck). */
const seen = { comments: 0 };
async function silence(untilComments: number): Promise<void> {
  await sleep(3 * INTERVAL);
  const cap = performance.now() + 5000;
  while (seen.comments < untilComments && performance.now() < cap) await sleep(10);
}

async function startUpstream() {
  return startScriptedUpstream(async (req, res) => {
    const kind = String(req.headers['x-case'] ?? 'gap');
    if (kind === 'json') {
      res.writeHead(200, { 'content-type': 'application/json' }); // chunked, no content-length
      res.write('{"id":"c1","object":"chat.completion","choices":[{"index":0,');
      await silence(0);
      return void res.end('"message":{"role":"assistant","content":"Hello"},"finish_reason":"stop"}]}');
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    if (kind === 'mid-event') {
      const cut = REST.indexOf('"lo"');
      res.write(HEAD + REST.slice(0, cut));
      await silence(0);
      return void res.end(REST.slice(cut));
    }
    res.write(HEAD);
    await silence(kind === 'quiet' ? 0 : 2);
    res.end(REST);
  });
}

/** Posts and reads every byte, counting comments as they arrive (the upstream's silence waits for two). */
async function exchange(url: string, body: object, kind: string): Promise<{ status: number; type: string; text: string; comments: number }> {
  seen.comments = 0;
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-case': kind }, body: JSON.stringify(body) });
  let text = '';
  for await (const c of res.body) {
    text += (c as Buffer).toString('utf8');
    seen.comments = text.split(KEEP_ALIVE_COMMENT).length - 1;
  }
  return { status: res.statusCode, type: String(res.headers['content-type']), text, comments: seen.comments };
}

/** Every comment sits on an event boundary: the stream start, or right after a blank line (LF or CRLF, as Gemini). */
function commentsOnBoundaries(text: string): boolean {
  for (let at = text.indexOf(KEEP_ALIVE_COMMENT); at !== -1; at = text.indexOf(KEEP_ALIVE_COMMENT, at + 1)) {
    const before = text.slice(0, at);
    if (at !== 0 && !before.endsWith('\n\n') && !before.endsWith('\r\n\r\n')) return false;
  }
  return true;
}

const strip = (text: string): string => text.split(KEEP_ALIVE_COMMENT).join('');
const dataOf = (sse: string): string[] => sse.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
const chat = (stream: boolean, includeUsage: boolean) => ({ model: 'm', stream, ...(includeUsage ? { stream_options: { include_usage: true } } : {}), messages: [{ role: 'user', content: 'hi' }] });

t.test('SSE keep-alive comments while the upstream is silent (property 12)', async (t) => {
  const up = await startUpstream();
  const ep = (id: string) => [{ id, provider: 'openai', port: up.port }];
  const gw = await startGateway(
    gatewayYaml([
      { name: 'on', cluster: 'on', endpoints: ep('on'), proxy: `{sse_keepalive: ${INTERVAL}ms}` },
      { name: 'off', cluster: 'off', endpoints: ep('off'), proxy: '{sse_keepalive: 0}' },
    ]),
  );
  t.teardown(async () => (await gw.close(), await up.close()));
  const on = gw.url('on');

  t.test('pass-through: comments in the silence, the upstream bytes otherwise identical, usage counted', async (t) => {
    const r = await exchange(`${on}/v1/chat/completions`, chat(true, true), 'gap');
    t.equal(r.status, 200);
    t.ok(r.comments >= 2, `${r.comments} comments during a silence of at least ${3 * INTERVAL} ms`);
    t.ok(commentsOnBoundaries(r.text), 'each on an event boundary');
    t.equal(strip(r.text), HEAD + REST, 'byte-identical without the comments');
    await sleep(20);
    t.match(accessLines(gw).at(-1), { status: 200, prompt_tokens: 7, completion_tokens: 3 }, 'the tokenizer read the usage, not the comments');
  });

  t.test('the tokenizer rewriting the stream (injected include_usage) passes the comments on', async (t) => {
    const r = await exchange(`${on}/v1/chat/completions`, chat(true, false), 'gap');
    t.ok(r.comments >= 2, `${r.comments} comments`);
    t.ok(commentsOnBoundaries(r.text));
    t.equal(strip(r.text), HEAD + REST.replace(USAGE, ''), 'the usage chunk the client did not ask for is dropped; nothing else changes');
  });

  t.test('silence inside an unfinished event: no comment', async (t) => {
    const r = await exchange(`${on}/v1/chat/completions`, chat(true, true), 'mid-event');
    t.equal(r.comments, 0);
    t.equal(r.text, HEAD + REST);
  });

  t.test('a chunked JSON body with a silence gets no comment', async (t) => {
    const r = await exchange(`${on}/v1/chat/completions`, chat(false, false), 'json');
    t.equal(r.comments, 0);
    t.match(JSON.parse(r.text), { choices: [{ message: { content: 'Hello' } }] });
  });

  t.test('sse_keepalive: 0 turns them off', async (t) => {
    const r = await exchange(`${gw.url('off')}/v1/chat/completions`, chat(true, true), 'quiet');
    t.equal(r.comments, 0);
    t.equal(r.text, HEAD + REST);
  });

  t.test('Anthropic client, translated stream: comments in its own SSE, a complete stream', async (t) => {
    const r = await exchange(`${on}/v1/messages`, { model: 'm', max_tokens: 16, stream: true, messages: [{ role: 'user', content: 'hi' }] }, 'gap');
    t.equal(r.status, 200);
    t.ok(r.comments >= 2, `${r.comments} comments`);
    t.ok(commentsOnBoundaries(r.text));
    const events = dataOf(strip(r.text)).map((d) => JSON.parse(d) as { type: string; delta?: { text?: string } });
    t.equal(events[0]?.type, 'message_start');
    t.equal(events.at(-1)?.type, 'message_stop', 'the stream ends properly');
    t.equal(events.map((e) => e.delta?.text ?? '').join(''), 'Hello');
    seen.comments = 2; // the SDK run below is not counted: let the upstream go after its silence
    const sdk = await anthropicClient(on).messages.create({ model: 'm', max_tokens: 16, stream: true, messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-case': 'quiet' } });
    let sdkText = '';
    for await (const ev of sdk) if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') sdkText += ev.delta.text;
    t.equal(sdkText, 'Hello', 'the Anthropic SDK reads the stream');
  });

  t.test('Gemini client: comments with alt=sse, none in its JSON-array stream', async (t) => {
    const body = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };
    const sse = await exchange(`${on}/v1beta/models/m:streamGenerateContent?alt=sse`, body, 'gap');
    t.match(sse.type, 'text/event-stream');
    t.ok(sse.comments >= 2, `${sse.comments} comments`);
    t.ok(commentsOnBoundaries(sse.text));
    const chunks = dataOf(strip(sse.text)).map((d) => JSON.parse(d) as { candidates?: Array<{ content?: { parts?: Array<{ text?: string }> } }> });
    t.equal(chunks.map((c) => c.candidates?.[0]?.content?.parts?.[0]?.text ?? '').join(''), 'Hello');
    const array = await exchange(`${on}/v1beta/models/m:streamGenerateContent`, body, 'quiet');
    t.match(array.type, 'application/json');
    t.equal(array.comments, 0, 'not SSE: no comment');
    t.ok(Array.isArray(JSON.parse(array.text)), 'a valid JSON array');
  });
});
