// Shared by the guardrails tests: a gateway whose one listener runs guardrails → proxy to one OpenAI-compatible
// upstream on loopback, and that upstream: it answers with scripted text pieces (each its own SSE event, so a secret can
// be split over any number of chunks) and tool-call argument pieces, unary or streamed, and records what it received.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Script {
  /** Text deltas, one SSE event each (a unary answer joins them). */
  pieces?: string[];
  /** One tool call whose arguments arrive in these pieces. */
  toolArgs?: string[];
  /** Milliseconds between events. */
  intervalMs?: number;
  /** Streams: after this many text pieces the connection is destroyed (an upstream cut mid-answer). */
  cutAfter?: number;
}

export interface PiecesUpstream {
  readonly port: number;
  readonly bodies: Array<Record<string, unknown>>;
  readonly headers: IncomingHttpHeaders[];
  script: Script;
  close(): Promise<void>;
}

const BASE = { id: 'chatcmpl-g', object: 'chat.completion.chunk', created: 1741569952, model: 'gpt-4o-mini', system_fingerprint: 'fp_g' };

export async function startPiecesUpstream(script: Script = {}): Promise<PiecesUpstream> {
  const up = { port: 0, bodies: [] as Array<Record<string, unknown>>, headers: [] as IncomingHttpHeaders[], script, close: async () => undefined };
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(parts).toString('utf8') || '{}') as Record<string, unknown>;
      up.bodies.push(body);
      up.headers.push(req.headers);
      void answer(res, body, up.script);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return Object.assign(up, {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  });
}

async function answer(res: import('node:http').ServerResponse, body: Record<string, unknown>, s: Script): Promise<void> {
  const text = (s.pieces ?? []).join('');
  const args = (s.toolArgs ?? []).join('');
  const usage = { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 };
  const finish = s.toolArgs ? 'tool_calls' : 'stop';
  if (body.stream !== true) {
    const message: Record<string, unknown> = { role: 'assistant', content: s.toolArgs && text === '' ? null : text, refusal: null };
    if (s.toolArgs) message.tool_calls = [{ id: 'call_1', type: 'function', function: { name: 'send', arguments: args } }];
    res.writeHead(200, { 'content-type': 'application/json' });
    return void res.end(JSON.stringify({ ...BASE, object: 'chat.completion', choices: [{ index: 0, message, logprobs: null, finish_reason: finish }], usage }));
  }
  const withUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
  const chunk = (delta: object, f: string | null = null): string => `data: ${JSON.stringify({ ...BASE, choices: [{ index: 0, delta, logprobs: null, finish_reason: f }] })}\n\n`;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const wait = (): Promise<void> => new Promise((r) => setTimeout(r, s.intervalMs ?? 0));
  res.write(chunk({ role: 'assistant', content: '' }));
  for (const [i, p] of (s.pieces ?? []).entries()) {
    if (i === s.cutAfter) {
      await wait();
      return void res.destroy();
    }
    await wait();
    res.write(chunk({ content: p }));
  }
  if (s.toolArgs) {
    res.write(chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'send', arguments: '' } }] }));
    for (const a of s.toolArgs) {
      await wait();
      res.write(chunk({ tool_calls: [{ index: 0, function: { arguments: a } }] }));
    }
  }
  res.write(chunk({}, finish));
  if (withUsage) res.write(`data: ${JSON.stringify({ ...BASE, choices: [], usage })}\n\n`);
  res.end('data: [DONE]\n\n');
}

/** A gateway: guardrails (config YAML indented for `config:`, 20 spaces) → proxy → the upstream as an openai endpoint. */
export function guardGatewayYaml(guardrails: string, port: number, provider = 'openai'): string {
  return `static_resources:
  shutdown_config: {timeout: 300ms}
  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config:
                routes:
                  - id: llm
                    match: {prefix: /}
                    route: {cluster: llm}
              http_filters:
                - name: dgp.filter.ai.guardrails
                  config:
${guardrails}
                - name: dgp.filter.llm.proxy
                  config: {}
  clusters:
    - name: llm
      lb_policy: RoundRobin
      endpoints:
        - id: ep-0
          socket_address: {address: 127.0.0.1, port: ${port}}
          llm_meta: ${JSON.stringify({ provider, api_key: 'sk-test', scheme: 'http', health_check_interval: 0, retry_policy: { name: 'NoRetry', config: {} } })}
`;
}

export type ClientApi = 'openai' | 'anthropic' | 'gemini';
export const CLIENT_APIS: readonly ClientApi[] = ['openai', 'anthropic', 'gemini'];

/** A raw request of a client API (`stream` picks the streaming operation), returning status, headers and body bytes. */
export async function ask(base: string, api: ClientApi, prompt: string, stream: boolean, extra: Record<string, unknown> = {}): Promise<{ status: number; headers: Headers; text: string }> {
  let url: string;
  let body: Record<string, unknown>;
  if (api === 'openai') {
    url = `${base}/v1/chat/completions`;
    body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }], stream, ...extra };
  } else if (api === 'anthropic') {
    url = `${base}/v1/messages`;
    body = { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: prompt }], stream, ...extra };
  } else {
    url = `${base}/v1beta/models/gemini-2.5-flash:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
    body = { contents: [{ role: 'user', parts: [{ text: prompt }] }], ...extra };
  }
  const headers: Record<string, string> = { 'content-type': 'application/json', authorization: 'Bearer client', 'x-api-key': 'client', 'anthropic-version': '2023-06-01' };
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Splits `s` into `n` pieces of near-equal length. */
export function split(s: string, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(s.slice(Math.floor((i * s.length) / n), Math.floor(((i + 1) * s.length) / n)));
  return out.filter((p) => p !== '');
}

/** True when some piece of `secret` at least `min` characters long appears in `bytes`. */
export function leaks(bytes: string, secret: string, min = 6): boolean {
  for (let i = 0; i + min <= secret.length; i++) if (bytes.includes(secret.slice(i, i + min))) return true;
  return false;
}

/** The text deltas a client stream carried, joined (OpenAI content, Anthropic text_delta, Gemini parts text). */
export function streamedText(api: ClientApi, raw: string): string {
  let out = '';
  for (const line of raw.split(/\r?\n/)) {
    if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
    const ev = JSON.parse(line.slice(6)) as Record<string, any>;
    if (api === 'openai') out += ev.choices?.[0]?.delta?.content ?? '';
    else if (api === 'anthropic') out += ev.delta?.type === 'text_delta' ? ev.delta.text : '';
    else for (const p of ev.candidates?.[0]?.content?.parts ?? []) out += p.text ?? '';
  }
  return out;
}
