// `dgp request`: one request through a config, without touching a running gateway — the config is started in this
// process with every listener on a free loopback port (and, with --upstream, every endpoint pointed at one URL), the
// request is sent, and the status, headers, body, routing trace and access-log line are printed.
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { request as undiciRequest } from 'undici';
import { parseDocument, type Document } from 'yaml';
import { Gateway } from './gateway.js';
import { createLogger } from './observability/logger.js';

export interface RequestOptions {
  file: string;
  pluginDirs: string[];
  listener?: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  upstream?: URL;
  json: boolean;
  /** Where the report goes (stdout). */
  out: (text: string) => void;
}

export interface RequestReport {
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
  truncated: boolean;
  route_trace: string | null;
  access_log: Record<string, unknown> | null;
}

const MAX_BODY = 8 * 1024;

/** The config text with listeners on 127.0.0.1:0, no admin or metric listener, and endpoints on `upstream`. */
export function isolate(text: string, upstream?: URL): string {
  const doc = parseDocument(text);
  const listeners = doc.getIn(['static_resources', 'listeners']) as { items?: unknown[] } | undefined;
  (listeners?.items ?? []).forEach((_, i) => {
    doc.setIn(['static_resources', 'listeners', i, 'address', 'socket_address', 'address'], '127.0.0.1');
    doc.setIn(['static_resources', 'listeners', i, 'address', 'socket_address', 'port'], 0);
  });
  doc.setIn(['admin', 'enabled'], false);
  if (doc.hasIn(['metric'])) doc.setIn(['metric', 'enable'], false);
  if (upstream) pointAt(doc, upstream);
  return doc.toString();
}

function pointAt(doc: Document, upstream: URL): void {
  const clusters = doc.getIn(['static_resources', 'clusters']) as { items?: unknown[] } | undefined;
  const scheme = upstream.protocol === 'https:' ? 'https' : 'http';
  const port = Number(upstream.port || (scheme === 'https' ? 443 : 80));
  (clusters?.items ?? []).forEach((_, c) => {
    const endpoints = doc.getIn(['static_resources', 'clusters', c, 'endpoints']) as { items?: unknown[] } | undefined;
    (endpoints?.items ?? []).forEach((__, e) => {
      const at = ['static_resources', 'clusters', c, 'endpoints', e];
      doc.setIn([...at, 'socket_address'], doc.createNode({ address: upstream.hostname.replace(/^\[|\]$/g, ''), port }));
      if (doc.hasIn([...at, 'llm_meta'])) doc.setIn([...at, 'llm_meta', 'scheme'], scheme);
    });
  });
}

export async function runRequest(o: RequestOptions): Promise<number> {
  const text = await readFile(o.file, 'utf8');
  // Beside the original, so relative paths in it (plugins.dirs, certificates, price files) still resolve; the
  // ${VAR} placeholders are kept, so no secret is written to disk. Removed as soon as the gateway has loaded it.
  const tmp = join(dirname(o.file), `.dgp-request-${process.pid}-${randomBytes(4).toString('hex')}-${basename(o.file)}`);
  await writeFile(tmp, isolate(text, o.upstream), { mode: 0o600 });
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  let gw: Gateway;
  try {
    gw = await Gateway.start({ file: tmp, pluginDirs: o.pluginDirs, env: process.env, watch: false, log: createLogger({ level: 'info', destination: sink }) });
  } finally {
    await rm(tmp, { force: true });
  }
  try {
    const ports = gw.listenerPorts();
    const name = o.listener ?? Object.keys(ports)[0];
    const port = name === undefined ? undefined : ports[name];
    if (port === undefined) {
      process.stderr.write(`dgp: no listener ${o.listener ?? ''} (listeners: ${Object.keys(ports).join(', ') || 'none'})\n`);
      return 2;
    }
    const res = await undiciRequest(`http://127.0.0.1:${port}${o.path}`, { method: o.method as 'POST', headers: o.headers, body: o.body, headersTimeout: 600_000, bodyTimeout: 600_000 });
    const raw = await res.body.text();
    await new Promise((r) => setTimeout(r, 20)); // the access line is written as the response completes
    const headers = res.headers as Record<string, string | string[]>;
    const report: RequestReport = {
      status: res.statusCode,
      headers,
      body: raw.length > MAX_BODY ? raw.slice(0, MAX_BODY) : raw,
      truncated: raw.length > MAX_BODY,
      route_trace: typeof headers['x-dgp-route'] === 'string' ? headers['x-dgp-route'] : null,
      access_log: lines.find((l) => l.msg === 'access') ?? null,
    };
    o.out(o.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, o.method, o.path));
    return report.status < 400 ? 0 : 1;
  } finally {
    await gw.close();
  }
}

function formatReport(r: RequestReport, method: string, path: string): string {
  const out = [`${method} ${path} → HTTP ${r.status}`];
  for (const [k, v] of Object.entries(r.headers)) out.push(`${k}: ${Array.isArray(v) ? v.join(', ') : v}`);
  out.push('');
  let body = r.body;
  try {
    body = JSON.stringify(JSON.parse(r.body), null, 2);
  } catch {
    // not JSON (an event stream, text): as it came
  }
  out.push(body + (r.truncated ? `\n… (truncated at ${MAX_BODY} bytes)` : ''));
  out.push('', `routing: ${r.route_trace ?? accessRoute(r.access_log)}`);
  out.push(`access log: ${r.access_log ? JSON.stringify(r.access_log) : '(none: log.access_log is off)'}`);
  return `${out.join('\n')}\n`;
}

function accessRoute(a: Record<string, unknown> | null): string {
  if (!a) return '(unknown)';
  const pick = (k: string) => (a[k] === undefined ? undefined : `${k} ${String(a[k])}`);
  return [pick('route'), pick('cluster'), pick('endpoint'), pick('attempts')].filter(Boolean).join(', ') || '(no route matched)';
}

/** The default body: one chat turn in the OpenAI shape (the gateway translates it for the configured provider). */
export function defaultBody(model: string, message: string, stream: boolean): string {
  return JSON.stringify({ model, messages: [{ role: 'user', content: message }], ...(stream ? { stream: true } : {}) });
}

export function resolveFile(source: { file?: string; configDir?: string }): string {
  return resolve(source.file ?? join(source.configDir ?? 'configs', 'conf.yaml'));
}
