// dgp request: one request through a config to a mock upstream.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { startMockOpenAi } from '../../helpers/mock-providers/index.js';
import { ROOT, CLI, dgp } from './helpers.js';

t.test('request: one request through the shipped config to a mock upstream; status, body, routing and access line', async (t) => {
  const upstream = await startMockOpenAi({ apiKey: 'sk-client-own', reply: { text: 'hello from the mock', usage: { input: 4, output: 5 } } });
  t.teardown(() => upstream.close());
  const run = (args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'request', ...args], { cwd: ROOT, env: { PATH: process.env.PATH } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', (status) => resolve({ status, stdout, stderr }));
    });
  const r = await run(['--config-dir', 'configs', '--upstream', upstream.url, '-m', 'hi there', '-H', 'authorization: Bearer sk-client-own']);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /^POST \/v1\/chat\/completions → HTTP 200\n/);
  t.match(r.stdout, /"content": "hello from the mock"/);
  t.match(r.stdout, /\nrouting: route llm_proxy#0, cluster openai, endpoint openai, attempts 1\n/);
  t.match(r.stdout, /\naccess log: \{.*"status":200.*"prompt_tokens":4.*"completion_tokens":5/);
  t.equal(upstream.requests.length, 1);
  t.match(upstream.requests[0]!.body, { messages: [{ role: 'user', content: 'hi there' }] }, 'the default body carries the message');
  t.equal(upstream.requests[0]!.headers.authorization, 'Bearer sk-client-own', "no server key configured: the client's own key passes through");
  t.same(readdirSync(join(ROOT, 'configs')).filter((f) => f.startsWith('.dgp-request-')), [], 'the isolated copy of the config is removed');
  const json = await run(['--config-dir', 'configs', '--upstream', upstream.url, '--json', '--stream', '-H', 'authorization: Bearer sk-client-own']);
  const report = JSON.parse(json.stdout) as { status: number; body: string; access_log: { status: number } };
  t.equal(report.status, 200);
  t.match(report.body, /^data: \{/, 'a streamed answer is shown as its events');
  const missing = await run(['--config-dir', 'configs', '--upstream', upstream.url, '--path', '/nowhere']);
  t.equal(missing.status, 1, 'a 404 exits 1');
  t.match(missing.stdout, /^GET \/nowhere → HTTP 404/);
  t.equal((await run(['--upstream', 'ftp://x'])).status, 2);
});
