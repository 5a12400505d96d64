// The commands of `dgp` that inspect or exercise a config without running it as a server: validate, routes,
// plugins, init, request (cli.ts parses the arguments and runs start).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig, formatProblem } from './config/load.js';
import { loadPlugins } from './registry/index.js';
import { preflight } from './multicore/preflight.js';
import { USAGE } from './cli-help.js';
import { initConfig, PRESETS } from './cli-init.js';
import { defaultBody, resolveFile, runRequest } from './cli-request.js';
import { didYouMean } from './config/did-you-mean.js';
import { formatRoutesView, routesView } from './config/routes-view.js';

export function usage(message: string): number {
  process.stderr.write(`dgp: ${message}\n\n${USAGE}\n`);
  return 2;
}

export async function validate(source: { file?: string; configDir?: string }, pluginDirs: string[], strict: boolean, json: boolean, noEnv: boolean): Promise<number> {
  const { loaded, problems, errors, warnings } = await preflight(source, pluginDirs, strict, process.env, noEnv);
  const infos = problems.filter((p) => p.severity === 'info');
  if (json) process.stdout.write(`${JSON.stringify({ valid: errors.length === 0, file: loaded.file, errors, warnings, infos }, null, 2)}\n`);
  else {
    for (const p of problems) process.stdout.write(`${formatProblem(p)}\n`);
    process.stdout.write(
      errors.length
        ? `${loaded.file}: invalid: ${errors.length} error(s), ${warnings.length} warning(s)\n`
        : `${loaded.file}: valid${warnings.length ? ` (${warnings.length} warning(s))` : ''}${infos.length ? `; structure only: ${infos.length} unset variable(s) not checked` : ''}\n`,
    );
  }
  return errors.length ? 1 : 0;
}

export async function request(source: { file?: string; configDir?: string }, pluginDirs: string[], v: Record<string, unknown>): Promise<number> {
  let upstream: URL | undefined;
  if (typeof v.upstream === 'string') {
    try {
      upstream = new URL(v.upstream);
      if (upstream.protocol !== 'http:' && upstream.protocol !== 'https:') throw new Error('scheme');
    } catch {
      return usage(`--upstream takes an http:// or https:// URL, e.g. http://127.0.0.1:9000 (got ${v.upstream})`);
    }
  }
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const h of (v.header as string[] | undefined) ?? []) {
    const colon = h.indexOf(':');
    if (colon < 1) return usage(`-H takes "name: value" (got ${h})`);
    headers[h.slice(0, colon).trim().toLowerCase()] = h.slice(colon + 1).trim();
  }
  let body: string | undefined;
  if (typeof v.data === 'string') body = v.data.startsWith('@') ? readFileSync(resolve(v.data.slice(1)), 'utf8') : v.data;
  const method = typeof v.method === 'string' ? v.method.toUpperCase() : body === undefined && typeof v.path === 'string' ? 'GET' : 'POST';
  if (body === undefined && method === 'POST') body = defaultBody(typeof v.model === 'string' ? v.model : 'gpt-4o-mini', typeof v.message === 'string' ? v.message : 'Say hello.', v.stream === true);
  const file = resolveFile(source);
  if (!existsSync(file)) return usage(`no config at ${file}: give --config-dir or -c`);
  const checked = await preflight(source, pluginDirs, false);
  if (checked.errors.length) {
    for (const p of checked.errors) process.stderr.write(`${formatProblem(p)}\n`);
    return 1;
  }
  return runRequest({
    file,
    pluginDirs,
    ...(typeof v.listener === 'string' ? { listener: v.listener } : {}),
    method,
    path: typeof v.path === 'string' ? v.path : '/v1/chat/completions',
    headers,
    ...(body !== undefined ? { body } : {}),
    ...(upstream ? { upstream } : {}),
    json: v.json === true,
    out: (text) => void process.stdout.write(text),
  });
}

export async function init(dir: string, providerList: string, force: boolean): Promise<number> {
  const providers = providerList.split(',').map((p) => p.trim().toLowerCase()).filter(Boolean);
  const unknown = providers.filter((p) => !Object.hasOwn(PRESETS, p));
  if (unknown.length || providers.length === 0) {
    const hint = unknown.map((u) => didYouMean(u, Object.keys(PRESETS))).filter(Boolean).join('; ');
    return usage(`--providers takes a comma-separated list of ${Object.keys(PRESETS).join(', ')} (unknown: ${unknown.join(', ') || 'none given'})${hint ? `; ${hint}` : ''}`);
  }
  const file = resolve(dir, 'conf.yaml');
  if (existsSync(file) && !force) {
    process.stderr.write(`dgp: ${file} exists; not overwriting it (pass --force to replace it, or --config-dir <another folder>)\n`);
    return 1;
  }
  mkdirSync(resolve(dir), { recursive: true });
  writeFileSync(file, initConfig([...new Set(providers)]));
  const checked = await preflight({ configDir: dir }, [], true, {});
  if (checked.errors.length) {
    for (const p of checked.errors) process.stderr.write(`${formatProblem(p)}\n`);
    process.stderr.write(`dgp: the written config does not validate (a bug: please report it)\n`);
    return 1;
  }
  const keys = providers.map((p) => PRESETS[p]!.keyVar).join(', ');
  process.stdout.write(`wrote ${file} (${providers.join(', ')})\nnext: export ${keys} (those you have) and DGP_API_KEY, then: dgp start --config-dir ${dir}\n`);
  return 0;
}

export async function routes(source: { file?: string; configDir?: string }, pluginDirs: string[], json: boolean): Promise<number> {
  const { loaded, errors } = await preflight(source, pluginDirs, false);
  if (errors.length || !loaded.config) {
    for (const p of errors) process.stderr.write(`${formatProblem(p)}\n`);
    process.stderr.write(`${loaded.file}: invalid: fix the errors above (\`dgp validate\` lists every problem)\n`);
    return 1;
  }
  const view = routesView(loaded.config);
  process.stdout.write(json ? `${JSON.stringify(view, null, 2)}\n` : `${formatRoutesView(view)}\n`);
  return 0;
}

export async function plugins(source: { file?: string; configDir?: string }, pluginDirs: string[], json: boolean): Promise<number> {
  const loaded = await loadConfig({ ...source, env: process.env });
  const dirs = [...(loaded.config?.plugins.dirs ?? []), ...pluginDirs];
  const registry = await loadPlugins({ pluginDirs: dirs });
  const rows = registry.list();
  if (json) process.stdout.write(`${JSON.stringify({ plugins: rows, problems: registry.problems.map(({ cause: _c, ...p }) => p) }, null, 2)}\n`);
  else {
    const w = Math.max(4, ...rows.map((r) => r.kind.length));
    process.stdout.write(`${'KIND'.padEnd(w)}  TYPE      VERSION   SOURCE\n`);
    for (const r of rows) {
      process.stdout.write(`${r.kind.padEnd(w)}  ${r.type.padEnd(8)}  ${(r.version ?? '-').padEnd(8)}  ${r.builtin ? 'built-in' : r.source}\n    ${r.description}\n`);
    }
    for (const p of registry.problems) process.stdout.write(`error ${p.code} ${p.folder}: ${p.message}${p.hint ? ` (${p.hint})` : ''}\n`);
  }
  return registry.problems.length ? 1 : 0;
}

