// Shared by the admission tests: an OpenAI-style upstream that holds every request until the test releases it (so a
// test decides exactly when slots free up and sees the order requests arrive in), and the conf.yaml of a gateway with
// an admission block in front of it.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface HeldRequest {
  /** The user message's content: the test's tag for the request. */
  tag: string;
  stream: boolean;
  /** Answers it (a JSON completion, or an SSE stream of `events` events `gapMs` apart). */
  release(events?: number, gapMs?: number): void;
  readonly res: ServerResponse;
}

export interface HeldUpstream {
  port: number;
  held: HeldRequest[];
  /** Answer every request at once from now on (streams: `streamEvents` events `streamGapMs` apart). */
  passThrough: boolean;
  streamEvents: number;
  streamGapMs: number;
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const completion = (tag: string) => JSON.stringify({
  id: 'chatcmpl-held', object: 'chat.completion', created: 1700000000, model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content: `re:${tag}` }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
});
const chunk = (i: number) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: `t${i}` }, finish_reason: null }] })}\n\n`;

function answer(res: ServerResponse, tag: string, stream: boolean, events: number, gapMs: number): void {
  if (res.destroyed) return;
  if (!stream) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(completion(tag));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  let i = 0;
  const next = (): void => {
    if (res.destroyed) return;
    if (i === events) {
      res.end('data: [DONE]\n\n');
      return;
    }
    res.write(chunk(i++));
    setTimeout(next, gapMs);
  };
  next();
}

export async function startHeldUpstream(): Promise<HeldUpstream> {
  const sockets = new Set<Socket>();
  const up: HeldUpstream = {
    port: 0,
    held: [],
    passThrough: false,
    streamEvents: 3,
    streamGapMs: 5,
    async waitFor(n, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (up.held.length < n) {
        if (Date.now() > until) throw new Error(`held upstream: ${up.held.length} of ${n} requests arrived in ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(parts).toString('utf8') || '{}') as { stream?: boolean; messages?: Array<{ content?: string }> };
      const tag = body.messages?.[0]?.content ?? '';
      const stream = body.stream === true;
      const h: HeldRequest = { tag, stream, res, release: (events = 3, gapMs = 5) => answer(res, tag, stream, events, gapMs) };
      up.held.push(h);
      if (up.passThrough) h.release(up.streamEvents, up.streamGapMs);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  up.port = (server.address() as AddressInfo).port;
  return up;
}

export interface AdmissionConfOptions {
  port: number;
  /** YAML of the top-level admission block's body, indented two spaces. */
  admission?: string;
  /** YAML of clusters[0].admission's body, indented six spaces. */
  clusterAdmission?: string;
  /** Static keys of dgp.filter.llm.keys (YAML list items indented 22 spaces); no keys filter when absent. */
  keys?: string;
  /** route.priority of the /other route (cluster `other`). */
  otherRoutePriority?: number;
  /** Connection manager timeout. */
  timeout?: string;
}

/**
 * One listener → (keys) → proxy → cluster `llm` with one OpenAI endpoint on `port`; a second cluster `other` too. The
 * drain bound is long: a reload must never cut the requests a test still holds on the previous generation.
 */
export function admissionConf(o: AdmissionConfOptions): string {
  const keys = o.keys === undefined ? '' : `
                - name: dgp.filter.llm.keys
                  config:
                    keys:
${o.keys}`;
  const endpoint = (id: string) => `
        - id: ${id}
          socket_address: {address: 127.0.0.1, port: ${o.port}}
          llm_meta: {provider: openai, api_key: sk-up, scheme: http, health_check_interval: 0}`;
  return `${o.admission === undefined ? '' : `admission:\n${o.admission}\n`}static_resources:
  shutdown_config: {timeout: 10s}
  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:${o.timeout === undefined ? '' : `\n              timeout: ${o.timeout}`}
              route_config:
                routes:
                  - match: {prefix: /other}
                    route: {cluster: other${o.otherRoutePriority === undefined ? '' : `, priority: ${o.otherRoutePriority}`}}
                  - match: {prefix: /}
                    route: {cluster: llm}
              http_filters:${keys}
                - name: dgp.filter.llm.proxy
                  config: {}
  clusters:
    - name: llm
      lb_policy: RoundRobin${o.clusterAdmission === undefined ? '' : `\n      admission:\n${o.clusterAdmission}`}
      endpoints:${endpoint('a')}
    - name: other
      endpoints:${endpoint('b')}
`;
}

/** A chat completion request body tagged `tag`. */
export const chatBody = (tag: string, stream = false): string => JSON.stringify({ model: 'm', stream, messages: [{ role: 'user', content: tag }] });

/** POSTs a chat completion; resolves with status, headers and the body text. */
export async function chat(base: string, tag: string, headers: Record<string, string> = {}, path = '/v1/chat/completions'): Promise<{ status: number; headers: Headers; text: string; ms: number }> {
  const started = Date.now();
  const r = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: chatBody(tag) });
  return { status: r.status, headers: r.headers, text: await r.text(), ms: Date.now() - started };
}

/** One sample of a metric from the admin /metrics text; undefined when the series is absent. */
export async function metric(adminUrl: string, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    if (!Object.entries(labels).every(([k, v]) => rest.includes(`${k}="${v}"`))) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}
