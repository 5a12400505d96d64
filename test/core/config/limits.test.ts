// Parser hardening: a config is measured before any expensive work (size, nesting, string and key length), "did you
// mean" is only computed for short strings, the engine's stack overflow is never shown as a config message, and a
// reload parses a large file off the event loop (monitorEventLoopDelay during the reload stays far below a freeze).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import t from 'tap';
import { request } from 'undici';
import { suggest } from '../../../core/config/did-you-mean.js';
import { loadConfig } from '../../../core/config/load.js';
import { startGateway } from '../../helpers/gateway.js';

const conf = (filterName: string, routes = 1) => `static_resources:
  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config:
                routes:
${Array.from({ length: routes }, (_, i) => `                  - match: {prefix: /r${i}/, headers: [{name: x-tenant, values: [t${i}]}]}\n                    route: {cluster: c}`).join('\n')}
                  - match: {prefix: /}
                    route: {cluster: c}
              http_filters:
                - name: ${filterName}
  clusters:
    - name: c
      endpoints:
        - id: e1
          socket_address: {address: 127.0.0.1, port: 9}
`;

async function load(t: { teardown(fn: () => unknown): void }, text: string) {
  const dir = await mkdtemp(join(tmpdir(), 'dgp-limits-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'conf.yaml'), text);
  const started = performance.now();
  const loaded = await loadConfig({ configDir: dir, env: {} });
  return { loaded, ms: performance.now() - started };
}

t.test('a 1 MiB unknown kind is refused as too large in milliseconds, before any suggestion is computed', async (t) => {
  const rss = process.memoryUsage().rss;
  const { loaded, ms } = await load(t, conf('a'.repeat(1 << 20)));
  t.equal(loaded.errors.length, 1);
  t.match(loaded.errors[0], { code: 'DGP_ERR_CONFIG_TOO_LARGE', pointer: '/static_resources/listeners/0/filter_chains/filters/0/config/http_filters/0/name', line: 16 });
  t.match(loaded.errors[0]!.message, 'a string of 1048576 characters; the limit is 65536');
  t.ok(ms < 2000, `refused in ${Math.round(ms)} ms`);
  t.ok(process.memoryUsage().rss - rss < 200 * 1024 * 1024, 'no quadratic allocation');
});

t.test('did-you-mean skips long inputs', async (t) => {
  const started = performance.now();
  t.equal(suggest('x'.repeat(60_000), ['dgp.filter.llm.proxy', 'dgp.filter.ai.kvcache']), undefined);
  t.ok(performance.now() - started < 50);
  t.equal(suggest('dgp.filter.llm.prxy', ['dgp.filter.llm.proxy']), 'dgp.filter.llm.proxy', 'short typos still get one');
});

t.test('deep nesting, long keys and huge files are config errors, never engine text', async (t) => {
  const cases: Array<[string, string, RegExp]> = [
    ['flow brackets', `static_resources:\n  x: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`, /nests deeper than 64 levels/],
    ['compact block sequences', `static_resources:\n  x:\n${'- '.repeat(5000)}a\n`, /nests too deep|nests deeper/],
    ['nested flow maps', `static_resources: ${'{a: '.repeat(3000)}1${'}'.repeat(3000)}\n`, /nests deeper than 64 levels/],
    ['block maps 70 deep', `static_resources:\n${Array.from({ length: 70 }, (_, i) => `${' '.repeat(2 * (i + 1))}k${i}:`).join('\n')} 1\n`, /nests deeper than 64 levels/],
    ['a 2 KiB key', `static_resources:\n  ? ${'k'.repeat(2048)}\n  : 1\n`, /a key of 2048 characters/],
    ['a 5 MiB file', `# ${'x'.repeat(5 * 1024 * 1024)}\nstatic_resources: {}\n`, /the limit is 4194304/],
  ];
  for (const [name, text, message] of cases) {
    const { loaded, ms } = await load(t, text);
    t.equal(loaded.errors[0]?.code, 'DGP_ERR_CONFIG_TOO_LARGE', name);
    t.match(loaded.errors[0]?.message, message, `${name}: ${loaded.errors[0]?.message}`);
    t.notOk(loaded.problems.some((p) => /call stack/i.test(p.message)), `${name}: no engine text`);
    t.ok(ms < 3000, `${name}: ${Math.round(ms)} ms`);
  }
});

t.test('a reload of a large config does not stall traffic: event-loop delay stays bounded', async (t) => {
  const g = await startGateway(conf('dgp.filter.llm.proxy'));
  t.teardown(() => g.close());
  const big = conf('dgp.filter.llm.proxy', 3000);
  t.ok(big.length > 300_000, `${big.length} bytes`);
  for (const [name, yaml, ok] of [['3000 routes (valid)', big, true], ['1 MiB unknown kind', conf('b'.repeat(1 << 20)), false]] as const) {
    await g.writeConfig(yaml);
    const h = monitorEventLoopDelay({ resolution: 5 });
    h.enable();
    let served = 0;
    const traffic = (async () => {
      for (let i = 0; i < 20; i++) {
        const res = await request(`${g.url()}/x`);
        await res.body.dump();
        served++;
      }
    })();
    const result = await g.gw.reload();
    h.disable();
    await traffic;
    const maxMs = h.max / 1e6;
    t.equal(result.ok, ok, `${name}: ${result.ok ? 'applied' : result.code}`);
    // Parsed inline, the 3000 routes stall the loop for seconds and the 1 MiB kind for 15-60 s. The bound is loose
    // because the test machine's idle loop already shows ~100-200 ms maxima under load; the figure is reported.
    t.ok(maxMs < 1000, `${name}: event-loop max delay during the reload ${maxMs.toFixed(1)} ms`);
    t.equal(served, 20);
  }
});
