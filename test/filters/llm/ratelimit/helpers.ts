// Shared by the rate-limit tests: a gateway whose one listener runs [keys →] ratelimit [→ tokenizer] → proxy to one
// cluster on loopback, and a paced OpenAI upstream (chat.completion.chunk events in OpenAI's exact format, one every
// `intervalMs`, the usage chunk when include_usage asks) whose streams can be held open or failed on demand.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KEYS, type Provider } from '../../../e2e/providers/helpers.js';

export interface RlGatewayOptions {
  /** dgp.filter.llm.ratelimit config, YAML indented for `config:` (20 spaces). */
  ratelimit: string;
  provider: Provider;
  port: number;
  /** dgp.filter.llm.keys config (YAML, same indent); absent: no keys filter. */
  keys?: string;
  /** Add dgp.filter.llm.tokenizer after the rate limiter. */
  tokenizer?: boolean;
  /** Add dgp.filter.llm.tokenizer before the rate limiter: it parses the JSON body first, the limiter finds it parsed. */
  tokenizerFirst?: boolean;
  /** YAML list items under static_resources.adapters (4 spaces). */
  adapters?: string;
  /** Extra top-level YAML. */
  tail?: string;
}

export function rlGatewayYaml(o: RlGatewayOptions): string {
  const keys = o.keys === undefined ? '' : `                - name: dgp.filter.llm.keys\n                  config:\n${o.keys}\n`;
  const tokenizerYaml = '                - name: dgp.filter.llm.tokenizer\n                  config: {}\n';
  const tokenizer = o.tokenizer ? tokenizerYaml : '';
  const first = o.tokenizerFirst ? tokenizerYaml : '';
  return `static_resources:
  shutdown_config: {timeout: 300ms}
${o.adapters === undefined ? '' : `  adapters:\n${o.adapters}\n`}  listeners:
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
${keys}${first}                - name: dgp.filter.llm.ratelimit
                  config:
${o.ratelimit}
${tokenizer}                - name: dgp.filter.llm.proxy
                  config: {}
  clusters:
    - name: llm
      lb_policy: RoundRobin
      endpoints:
        - id: ep-0
          socket_address: {address: 127.0.0.1, port: ${o.port}}
          llm_meta: ${JSON.stringify({ provider: o.provider, api_key: KEYS[o.provider], scheme: 'http', health_check_interval: 0, retry_policy: { name: 'NoRetry', config: {} } })}
${o.tail ?? ''}`;
}

export interface PacedUpstream {
  readonly port: number;
  /** Requests received. */
  count: number;
  /** Streams whose response the gateway closed before it ended. */
  aborted: number;
  /** Answer every later request with this status and an OpenAI error body instead of a stream. */
  failWith: number | undefined;
  /** Extra headers on every answer (e.g. the upstream's own x-ratelimit-*). */
  headers: Record<string, string>;
  close(): Promise<void>;
}

/** `events` content chunks of `text`, `intervalMs` apart, then usage {input, output} when include_usage asks. */
export async function startPacedOpenAi(o: { events: number; intervalMs: number; usage: { input: number; output: number } }): Promise<PacedUpstream> {
  const up: PacedUpstream = { port: 0, count: 0, aborted: 0, failWith: undefined, headers: {}, close: async () => undefined };
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      up.count++;
      const body = JSON.parse(Buffer.concat(parts).toString('utf8') || '{}') as { model?: string; stream?: boolean; stream_options?: { include_usage?: boolean } };
      if (up.failWith !== undefined) {
        const text = JSON.stringify({ error: { message: 'upstream failure', type: 'server_error', param: null, code: null } });
        res.writeHead(up.failWith, { 'content-type': 'application/json', ...up.headers });
        return void res.end(text);
      }
      void stream(res, body, o, up);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return Object.assign(up, {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  });
}

async function stream(res: ServerResponse, body: { model?: string; stream?: boolean; stream_options?: { include_usage?: boolean } }, o: { events: number; intervalMs: number; usage: { input: number; output: number } }, up: PacedUpstream): Promise<void> {
  const base = { id: 'chatcmpl-paced', object: 'chat.completion.chunk', created: 1741569952, model: body.model ?? 'gpt-4o-mini', system_fingerprint: 'fp_paced' };
  const usage = { prompt_tokens: o.usage.input, completion_tokens: o.usage.output, total_tokens: o.usage.input + o.usage.output };
  if (body.stream !== true) {
    const text = JSON.stringify({ ...base, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'word '.repeat(o.events), refusal: null }, logprobs: null, finish_reason: 'stop' }], usage });
    res.writeHead(200, { 'content-type': 'application/json', ...up.headers });
    return void res.end(text);
  }
  const withUsage = body.stream_options?.include_usage === true;
  const chunk = (delta: object, finish: string | null = null) => `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(withUsage ? { usage: null } : {}) })}\n\n`;
  let closed = false;
  res.on('close', () => {
    if (!res.writableFinished) (closed = true), up.aborted++;
  });
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...up.headers });
  res.write(chunk({ role: 'assistant', content: '', refusal: null }));
  for (let i = 0; i < o.events && !closed; i++) {
    await new Promise((r) => setTimeout(r, o.intervalMs));
    if (!closed) res.write(chunk({ content: 'word ' }));
  }
  if (closed) return;
  res.write(chunk({}, 'stop'));
  if (withUsage) res.write(`data: ${JSON.stringify({ ...base, choices: [], usage })}\n\n`);
  res.end('data: [DONE]\n\n');
}

/** The value of one sample in the gateway's /metrics text (the sum of the matching series), 0 when absent. */
export async function metric(adminUrl: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** A chat request body (OpenAI) of a fixed size. */
export const chat = (over: Record<string, unknown> = {}) => ({ model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hello there' }], ...over });

export const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer client', ...headers }, body: JSON.stringify(body) });

export interface GatewayProcess {
  /** The traffic listener's port (shared by every worker with --workers). */
  port: number;
  admin: number;
  /** Every JSON log line so far (the primary's and each worker's, with their pid). */
  lines(): Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** `dgp start` from the compiled dist/ (run `npx tsc -p tsconfig.json` first) as a child process, on loopback ports. */
export async function startGatewayProcess(yaml: string, extraArgs: string[] = []): Promise<GatewayProcess> {
  const { spawn } = await import('node:child_process');
  const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const root = fileURLToPath(new URL('../../../..', import.meta.url));
  const dir = await mkdtemp(join(tmpdir(), 'dgp-rl-'));
  await writeFile(join(dir, 'conf.yaml'), /^admin:/m.test(yaml) ? yaml : `${yaml}\nadmin: {address: 127.0.0.1, port: 0}\nworkers: {threads: 1}\n`);
  const child = spawn(process.execPath, [join(root, 'dist/core/cli.js'), 'start', '--config-dir', dir, '--no-watch', ...extraArgs], { cwd: root, env: { PATH: process.env.PATH } });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const lines = () => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  const exited = new Promise<void>((r) => child.on('close', () => r()));
  const startLine = () => lines().find((l) => l.msg === 'dgp-gateway started');
  for (let i = 0; i < 1200 && startLine() === undefined && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
  const line = startLine();
  if (line === undefined) {
    child.kill('SIGKILL');
    throw new Error(`dgp did not start: ${out}`);
  }
  return {
    port: (line.listeners as Record<string, number>).main!,
    admin: line.admin as number,
    lines,
    async stop() {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A POST on a fresh connection (Connection: close), so node:cluster may hand each one to another worker. */
export async function postFresh(port: number, path: string, body: unknown): Promise<number> {
  const http = await import('node:http');
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent: false, headers: { connection: 'close', 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
    req.end(text);
  });
}
