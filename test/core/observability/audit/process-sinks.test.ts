// The stdout and webhook sinks as configured in conf.yaml, in a real `dgp start` process: each request's record is
// one JSON line on stdout and one element of a POSTed batch, and SIGTERM flushes both before the process exits.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { startMockOpenAi } from '../../../helpers/mock-providers/index.js';
import { startGatewayProcess, postFresh } from '../../../filters/llm/ratelimit/helpers.js';

t.test('stdout and webhook sinks from conf.yaml; flushed on SIGTERM', async (t) => {
  const up = await startMockOpenAi({ reply: { text: 'ok', usage: { input: 4, output: 2 } } });
  const batches: Array<{ auth: unknown; body: Array<Record<string, unknown>> }> = [];
  const rx = createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      batches.push({ auth: req.headers.authorization, body: JSON.parse(text) as Array<Record<string, unknown>> });
      res.end();
    });
  });
  await new Promise<void>((r) => rx.listen(0, '127.0.0.1', r));
  t.teardown(async () => (await up.close(), await new Promise<void>((r) => rx.close(() => r()))));
  const yaml = `static_resources:
  shutdown_config: {timeout: 5s}
  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config:
                routes:
                  - match: {prefix: /}
                    route: {cluster: llm}
              http_filters:
                - name: dgp.filter.llm.proxy
                  config: {}
  clusters:
    - name: llm
      endpoints:
        - id: ep-0
          socket_address: {address: 127.0.0.1, port: ${up.port}}
          llm_meta: {provider: openai, api_key: sk-test, scheme: http}
audit:
  sinks:
    - { type: stdout }
    - { type: webhook, url: "http://127.0.0.1:${(rx.address() as AddressInfo).port}/ingest", headers: { authorization: "Bearer siem-token" }, batch_size: 2, retry_backoff: 10ms }
  flush_interval: 1h
`;
  const g = await startGatewayProcess(yaml);
  const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
  for (let i = 0; i < 3; i++) t.equal(await postFresh(g.port, '/v1/chat/completions', chat), 200);
  t.equal(batches.length, 0, 'nothing is sent before a flush');
  const lines = g.lines;
  await g.stop();
  const records = lines().filter((l) => l.v === 1 && l.kind === 'llm');
  t.equal(records.length, 3, 'three records on stdout, one JSON line each');
  t.match(records[0], { status: 200, outcome: 'ok', tokens: { input: 4, output: 2 }, prompt_hash: null });
  t.same(batches.map((b) => b.body.length), [2, 1], 'POSTed in batches of batch_size');
  t.equal(batches[0]!.auth, 'Bearer siem-token');
  t.same(batches.flatMap((b) => b.body.map((r) => r.request_id)).sort(), records.map((r) => r.request_id).sort(), 'the same records to both sinks');
});
