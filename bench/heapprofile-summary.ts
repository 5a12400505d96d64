// Ranks the allocation sites of a sampling heap profile (bench/alloc-count.ts --heap-prof) by bytes, per function and
// per file, with each one's share of the total; given a request count, also in bytes per request.
//   npx tsx bench/heapprofile-summary.ts <file.heapprofile> [--requests 20000] [--top 40] [--diff other.heapprofile]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface Node {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: Node[];
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { requests: { type: 'string' }, top: { type: 'string', default: '40' }, diff: { type: 'string' } } });
if (!positionals[0]) {
  process.stderr.write('usage: npx tsx bench/heapprofile-summary.ts <file.heapprofile> [--requests N] [--top N] [--diff base.heapprofile]\n');
  process.exit(2);
}

const short = (url: string) => url.replace(/^file:\/\//, '').replace(/^.*?\/(dist|node_modules)\//, '$1/');

function sites(file: string): { byFn: Map<string, number>; byFile: Map<string, number>; total: number } {
  const byFn = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  const walk = (n: Node): void => {
    if (n.selfSize) {
      const f = n.callFrame;
      const where = f.url ? short(f.url) : '(native)';
      const key = `${f.functionName || '(anonymous)'} ${where}:${f.lineNumber + 1}`;
      byFn.set(key, (byFn.get(key) ?? 0) + n.selfSize);
      byFile.set(where, (byFile.get(where) ?? 0) + n.selfSize);
      total += n.selfSize;
    }
    for (const c of n.children) walk(c);
  };
  walk((JSON.parse(readFileSync(file, 'utf8')) as { head: Node }).head);
  return { byFn, byFile, total };
}

const n = values.requests ? Number(values.requests) : undefined;
const size = (b: number) => (n ? `${(b / n).toFixed(0)} B/req` : `${(b / 1024).toFixed(0)} KB`);
const top = Number(values.top);
const a = sites(positionals[0]);
const base = values.diff ? sites(values.diff) : undefined;

function table(title: string, own: Map<string, number>, other: Map<string, number> | undefined): void {
  const keys = new Set([...own.keys(), ...(other?.keys() ?? [])]);
  const rows = [...keys].map((k) => ({ k, v: (own.get(k) ?? 0) - (other?.get(k) ?? 0) })).sort((x, y) => Math.abs(y.v) - Math.abs(x.v));
  console.log(`\n${title}${other ? ' (this minus --diff)' : ''}`);
  for (const r of rows.slice(0, top)) console.log(`${size(r.v).padStart(12)} ${((100 * r.v) / a.total).toFixed(1).padStart(6)}%  ${r.k}`);
}

console.log(`total sampled: ${size(a.total)}${base ? `; --diff: ${size(base.total)}` : ''}`);
table('by file', a.byFile, base?.byFile);
table('by function', a.byFn, base?.byFn);
