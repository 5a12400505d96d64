// Starts a real gateway in-process on loopback from a YAML string (written to a temp config dir), capturing its JSON
// log lines so tests can assert on them. Listeners should use port 0; the admin listener defaults to port 0 too.
// Shipped as `dgp-gateway/testing`: a plugin author starts a real host with their plugin folder, sends requests to
// `url()`, and reads `metric(name)` and `logs` — no fakes between the plugin and the host.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import type { AdmissionOptions } from '../admission/admission.js';
import { Gateway, type WatchOptions } from '../gateway.js';
import { createLogger } from '../observability/logger.js';

export interface TestGateway {
  gw: Gateway;
  dir: string;
  /** Base URL of a listener (the first one when no name is given). */
  url(listener?: string): string;
  adminUrl: string;
  logs: Array<Record<string, unknown>>;
  /** Rewrites conf.yaml in the config dir (for reload tests). */
  writeConfig(yaml: string): Promise<void>;
  /**
   * The samples of one metric from the admin listener's /metrics, label set → value, e.g.
   * `await g.metric('dgp_http_requests_total')` → `{ '{listener="main",route="r",status="200"}': 3 }`.
   */
  metric(name: string): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export function logCapture(): { stream: Writable; lines: Array<Record<string, unknown>>; raw: string[] } {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      cb();
    },
  });
  return { stream, lines, raw };
}

const withAdmin = (yaml: string): string => (/^admin:/m.test(yaml) ? yaml : `${yaml}\nadmin:\n  address: 127.0.0.1\n  port: 0\n`);

export async function startGateway(
  yaml: string,
  opts: {
    pluginDirs?: string[];
    env?: NodeJS.ProcessEnv;
    files?: Record<string, string>;
    level?: 'info' | 'debug';
    /** Watch the config dir and plugin folders (off by default in tests; `dgp start` watches). */
    watch?: boolean | WatchOptions;
    /** Admission test seams (a forced heap reading). */
    admission?: AdmissionOptions;
  } = {},
): Promise<TestGateway> {
  const dir = await mkdtemp(join(tmpdir(), 'dgp-test-'));
  await writeFile(join(dir, 'conf.yaml'), withAdmin(yaml));
  for (const [name, text] of Object.entries(opts.files ?? {})) {
    await mkdir(dirname(join(dir, name)), { recursive: true }); // names may hold folders, e.g. plugins/x/index.js
    await writeFile(join(dir, name), text);
  }
  const cap = logCapture();
  const log = createLogger({ level: opts.level ?? 'info', destination: cap.stream });
  const gw = await Gateway.start({ configDir: dir, pluginDirs: opts.pluginDirs, env: opts.env ?? {}, log, watch: opts.watch, ...(opts.admission ? { admission: opts.admission } : {}) });
  const admin = gw.adminAddress;
  return {
    gw,
    dir,
    url(listener?: string) {
      const ports = gw.listenerPorts();
      const port = listener ? ports[listener] : Object.values(ports)[0];
      if (port === undefined) throw new Error(`no listener ${listener}`);
      return `http://127.0.0.1:${port}`;
    },
    adminUrl: `http://${admin.address}:${admin.port}`,
    logs: cap.lines,
    writeConfig: (y: string) => writeFile(join(dir, 'conf.yaml'), withAdmin(y)),
    async metric(name: string) {
      const text = await (await fetch(`http://${admin.address}:${admin.port}/metrics`)).text();
      const out: Record<string, number> = {};
      for (const line of text.split('\n')) {
        if (!line.startsWith(name) || (line[name.length] !== '{' && line[name.length] !== ' ')) continue;
        const space = line.lastIndexOf(' ');
        out[line.slice(name.length, space) || '{}'] = Number(line.slice(space + 1));
      }
      return out;
    },
    async close() {
      await gw.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The conf.yaml most proxy tests need: one listener on a free port, one prefix route to `cluster`, the given
 * http_filters (YAML list items, indented as under `http_filters:`), and the given clusters (YAML under `clusters:`).
 */
export function proxyConf(o: { filters: string; clusters: string; prefix?: string; cluster?: string }): string {
  return `
static_resources:
  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config:
                routes:
                  - match: {prefix: ${o.prefix ?? '/v1'}}
                    route: {cluster: ${o.cluster ?? 'chat'}}
              http_filters:${o.filters}
  clusters:${o.clusters}
`;
}
