// The manifest, its schema and option resolution: Pixiu's Apply() checks (scheme) and our defaults, errors coded
// DGP_ERR_PLUGIN_CONFIG. (The shared conformance suite runs it too, with test/conformance/fixtures/dgp.filter.llm.proxy.json.)
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { Compile } from 'typebox/compile';
import { API_VERSION, isDgpError, UpstreamPools, upstreamPoolsService } from '../../../../core/index.js';
import manifest from '../../../../filters/llm/proxy/index.js';
import type { ProxyFilter } from '../../../../filters/llm/proxy/filter.js';
import { resolveProxyOptions } from '../../../../filters/llm/proxy/options.js';
import { stubFactoryContext } from '../../../helpers/factory-context.js';
import { runConformance, readConformanceFixture } from '../../../helpers/conformance.js';

t.test('manifest shape', async (t) => {
  t.equal(manifest.kind, 'dgp.filter.llm.proxy');
  t.equal(manifest.apiVersion, API_VERSION);
  t.ok(Object.isFrozen(manifest));
  const check = Compile(manifest.configSchema);
  t.ok(check.Check({}));
  t.notOk(check.Check({ nope: 1 }), 'unknown fields are rejected');
});

t.test('conformance suite with the fixture', async (t) => {
  const fixture = await readConformanceFixture(manifest.kind);
  t.ok(fixture, 'the fixture exists');
  await runConformance(t, { manifest, folder: 'filters/llm/proxy', validConfigs: fixture!.valid, invalidConfigs: fixture!.invalid });
});

t.test('defaults, and Pixiu `timeout` as the first-byte default', async (t) => {
  const o = resolveProxyOptions({}, '/');
  t.match(o, { scheme: 'http', connections: 0, connectTimeout: 10_000, firstByteTimeout: 300_000, idleTimeout: 300_000, deadline: 0, keepAliveTimeout: 4000, respectRetryAfter: true, maxRetryAfter: 10_000, ca: undefined, attemptsHeader: true });
  t.ok(o.retryOn.status(503) && o.retryOn.status(429) && !o.retryOn.status(400) && !o.retryOn.status(501));
  t.ok(o.retryOn.connectError && o.retryOn.reset && o.retryOn.emptyStream && !o.retryOn.timeout);
  t.equal(resolveProxyOptions({ timeout: '60s' }, '/').firstByteTimeout, 60_000);
  t.equal(resolveProxyOptions({ timeout: '60s', first_byte_timeout: 0 }, '/').firstByteTimeout, 0, '0 disables');
  t.equal(resolveProxyOptions({ scheme: ' HTTPS ' }, '/').scheme, 'https', 'trimmed and lower-cased (Pixiu Apply)');
  t.equal(resolveProxyOptions({ maxConnsPerHost: 100 }, '/').connections, 100);
  const all = resolveProxyOptions({ retry_on: ['all_non_2xx'] }, '/').retryOn;
  t.ok(all.status(400) && all.status(404) && all.timeout && !all.status(204));
  const fives = resolveProxyOptions({ retry_on: ['5xx', 418] }, '/').retryOn;
  t.ok(fives.status(501) && fives.status(418) && !fives.status(429) && !fives.connectError);
});

t.test('bad values are DGP_ERR_PLUGIN_CONFIG naming the option', async (t) => {
  const codeOf = (config: object): string => {
    try {
      resolveProxyOptions(config, '/');
      return 'none';
    } catch (err) {
      return isDgpError(err) ? `${err.code}: ${err.message}` : String(err);
    }
  };
  t.equal(codeOf({ scheme: 'ftp' }), 'DGP_ERR_PLUGIN_CONFIG: dgp.filter.llm.proxy: scheme must be http or https');
  t.match(codeOf({ idle_timeout: '5 s' }), /^DGP_ERR_PLUGIN_CONFIG: dgp.filter.llm.proxy: idle_timeout: /);
  t.match(codeOf({ retry_on: ['maybe'] }), /retry_on: "maybe" is not a retry condition/);
  t.match(codeOf({ ca_file: 'missing.pem' }), /ca_file: cannot read .*missing\.pem/);
});

t.test('ca_file is read relative to the config dir and added to the public roots', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'dgp-proxy-'));
  await writeFile(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  const o = resolveProxyOptions({ ca_file: 'ca.pem' }, dir);
  t.ok(o.ca && o.ca.length > 1 && o.ca[o.ca.length - 1]!.includes('MIIB'));
});

t.test('instances of every generation share the process-wide pools', async (t) => {
  const services = stubFactoryContext().services;
  const a = (await manifest.create({}, stubFactoryContext({ services }))) as ProxyFilter;
  const b = (await manifest.create({}, stubFactoryContext({ services }))) as ProxyFilter;
  t.not(a, b);
  t.type(services.get(upstreamPoolsService), UpstreamPools);
  t.same(Object.keys(services.readiness()).sort(), ['dgp.filter.llm.proxy.retry-budget', 'dgp.upstream.pools'], 'one pools service and one retry-budget table, each held once');
});
