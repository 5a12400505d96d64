// core/llm/ sits on the host like a plugin: the pricing module imports only the core SDK (core/index.ts), its own
// files, node: built-ins and npm packages (ARCHITECTURE.md §2).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const DIR = fileURLToPath(new URL('../../../../core/llm/pricing/', import.meta.url));

t.test('pricing imports nothing from the host but core/index.ts (the rest of core/llm is fine)', async (t) => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.ts'));
  t.ok(files.length >= 5);
  for (const f of files) {
    for (const m of readFileSync(DIR + f, 'utf8').matchAll(/^(?:import|export)[^'"]*from '([^']+)'/gm)) {
      const spec = m[1]!;
      // Inside the LLM layer (./, ../x.js) or the core SDK; never another part of the host.
        const ok = spec.startsWith('./') || (spec.startsWith('../') && !spec.startsWith('../../')) || spec === '../../index.js' || spec.startsWith('node:') || !spec.startsWith('.');
      t.ok(ok, `${f} imports ${spec}`);
    }
  }
});
