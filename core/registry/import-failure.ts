// Why a plugin entry failed to import, said where the author can act on it: the file and line of a syntax error
// (Node's dynamic import gives none, so `node --check` is asked, on this failure path only) or of the first stack
// frame inside the plugin folder, and the kinds the entry's source declares — so "unknown kind" can name its cause.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface FailureSite {
  file: string;
  line: number;
  col: number;
}

/** Where the import failed: a file inside `folder` with a line, or undefined when no position is known. */
export function failureSite(err: unknown, entry: string, folder: string): FailureSite | undefined {
  if (err instanceof SyntaxError) {
    const check = spawnSync(process.execPath, ['--check', entry], { encoding: 'utf8', timeout: 10_000 });
    const m = /^(.+?):(\d+)\s*$/m.exec(check.stderr ?? '');
    if (m) return { file: m[1]!, line: Number(m[2]), col: caretCol(check.stderr, m.index) };
  }
  const stack = err instanceof Error ? (err.stack ?? '') : '';
  for (const m of stack.matchAll(/(file:\/\/[^\s)]+?|\/[^\s():]+):(\d+):(\d+)/g)) {
    const file = m[1]!.startsWith('file:') ? fileURLToPath(m[1]!.replace(/\?.*$/, '')) : m[1]!;
    if (file.startsWith(folder)) return { file, line: Number(m[2]), col: Number(m[3]) };
  }
  return undefined;
}

/** `node --check` prints the source line and a caret under the column after `file:line`. */
function caretCol(stderr: string, at: number): number {
  const lines = stderr.slice(at).split('\n');
  const caret = lines.findIndex((l, i) => i > 0 && /^\s*\^/.test(l));
  return caret > 0 ? lines[caret]!.indexOf('^') + 1 : 1;
}

/** The kinds the entry's source text declares (`kind: 'acme.x'`), for naming the cause of an unknown kind. */
export function declaredKinds(entry: string): string[] {
  let text: string;
  try {
    text = readFileSync(entry, 'utf8');
  } catch {
    return [];
  }
  return [...new Set([...text.matchAll(/\bkind\s*:\s*['"`]([a-z0-9][a-z0-9_.-]*)['"`]/g)].map((m) => m[1]!))];
}
