// The error-code registry, docs/errors.md and the code that raises errors stay in step (fastify's FST_ERR habit).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { ERROR_CODES, DgpError } from '../../core/errors.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const doc = readFileSync(join(ROOT, 'docs/errors.md'), 'utf8');

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
  for (const code of Object.keys(ERROR_CODES)) t.ok(documented.has(code), `${code} has a section in docs/errors.md (run npm run gen:errors)`);
  for (const code of documented) t.ok(code! in ERROR_CODES, `${code} in docs/errors.md is registered`);
});

t.test('every DGP_ERR_* code used in the source is registered', async (t) => {
  const used = new Set<string>();
  for (const dir of ['core', 'filters', 'adapters']) {
    for (const file of sources(join(ROOT, dir))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/['"`](DGP_ERR_[A-Z0-9_]*[A-Z0-9])['"`]/g)) used.add(m[1]!);
    }
  }
  t.ok(used.size > 20);
  for (const code of used) t.ok(code in ERROR_CODES, `${code} is in core/errors.ts`);
});

t.test('DgpError takes its status from the registry unless overridden', async (t) => {
  t.equal(new DgpError('DGP_ERR_HTTP_BODY_TOO_LARGE', 'x').status, 413);
  t.equal(new DgpError('DGP_ERR_HTTP_BODY_TOO_LARGE', 'x', { status: 400 }).status, 400);
  t.equal(new DgpError('MYPLUGIN_ERR_X', 'x').status, 500);
});
