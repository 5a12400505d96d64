// The error-code registry, docs/errors.md and the code that raises errors stay in step (fastify's FST_ERR habit).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { ERROR_CODES, DgpError, defineErrorCode, registeredErrorCodes } from '../../core/errors.js';
import { loadBuiltinErrorCodes } from '../../scripts/builtin-error-codes.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const doc = readFileSync(join(ROOT, 'docs/errors.md'), 'utf8');
const plugin = new Map(await loadBuiltinErrorCodes());
const known = (code: string): boolean => code in ERROR_CODES || plugin.has(code);

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

t.test('every registered code is documented, and every documented code is registered', async (t) => {
  const documented = new Set([...doc.matchAll(/^### (DGP_ERR_[A-Z0-9_]+)$/gm)].map((m) => m[1]));
  for (const code of [...Object.keys(ERROR_CODES), ...plugin.keys()]) t.ok(documented.has(code), `${code} has a section in docs/errors.md (run npm run gen:errors)`);
  for (const code of documented) t.ok(known(code!), `${code} in docs/errors.md is registered`);
  for (const [code, info] of plugin) t.ok(info.summary !== '' && info.fix !== '', `${code} (${info.owner}) has a summary and a fix`);
});

t.test('every DGP_ERR_* code used in the source is registered', async (t) => {
  const used = new Set<string>();
  for (const dir of ['core', 'filters', 'adapters']) {
    for (const file of sources(join(ROOT, dir))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/['"`](DGP_ERR_[A-Z0-9_]*[A-Z0-9])['"`]/g)) used.add(m[1]!);
    }
  }
  t.ok(used.size > 20);
  for (const code of used) t.ok(known(code), `${code} is in core/errors.ts or defined by its owner with defineErrorCode`);
});

t.test('DgpError takes its status from the registry unless overridden', async (t) => {
  t.equal(new DgpError('DGP_ERR_HTTP_BODY_TOO_LARGE', 'x').status, 413);
  t.equal(new DgpError('DGP_ERR_HTTP_BODY_TOO_LARGE', 'x', { status: 400 }).status, 400);
  t.equal(new DgpError('MYPLUGIN_ERR_X', 'x').status, 500);
});

t.test('plugin codes live with their owners: defineErrorCode registers status, summary and fix', async (t) => {
  t.notOk('DGP_ERR_PROVIDER_UNTRANSLATABLE' in ERROR_CODES, 'no LLM code in the host registry');
  t.notOk('DGP_ERR_KVCACHE_TIMEOUT' in ERROR_CODES, 'no kvcache code in the host registry');
  t.match(plugin.get('DGP_ERR_PROVIDER_UNTRANSLATABLE'), { status: 400, owner: /llm/ });
  t.match(plugin.get('DGP_ERR_KVCACHE_BREAKER_OPEN'), { status: 503, owner: 'dgp.filter.ai.kvcache' });
  t.equal(new DgpError('DGP_ERR_KVCACHE_TIMEOUT', 'x').status, 504, 'a bare code gets its registered status');
  const E = defineErrorCode('TEST_ERR_X', 418, { summary: 's', fix: 'f' });
  t.match(E('m'), { code: 'TEST_ERR_X', status: 418, message: 'm' });
  t.match(registeredErrorCodes().get('TEST_ERR_X'), { status: 418, summary: 's', fix: 'f' });
  t.throws(() => defineErrorCode('DGP_ERR_HTTP_NO_ROUTE', 400), TypeError, 'host codes cannot be redefined');
});
