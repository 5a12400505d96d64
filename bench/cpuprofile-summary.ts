// Summarises a V8 .cpuprofile (from `node --cpu-prof`) by self time: where the process spent its CPU, per function
// and per area (dgp core, dgp filters, each npm package, Node internals, GC), as Markdown tables.
//   npx tsx bench/cpuprofile-summary.ts <file.cpuprofile> [--top 30]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const ROOT = new URL('../', import.meta.url).href;

/** Where a frame's code lives, as a short path: "core/http/hcm.js:42", "undici/lib/...", "node:internal/...". */
function where(f: CallFrame): string {
  if (!f.url) return '';
  let u = f.url.startsWith(ROOT) ? f.url.slice(ROOT.length) : f.url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('node_modules/');
  if (nm >= 0) u = u.slice(nm + 'node_modules/'.length);
  return `${u.replace(/^dist\//, '')}:${f.lineNumber + 1}`;
}

/** The area a frame belongs to, for the per-area table. */
function area(f: CallFrame): string {
  if (!f.url) return f.functionName.startsWith('(') ? f.functionName : '(native)';
  if (f.url.startsWith('node:')) return 'node internals';
  const w = where(f);
  if (f.url.includes('/node_modules/')) return `npm: ${w.startsWith('@') ? w.split('/').slice(0, 2).join('/') : w.split('/')[0]}`;
  const m = /^(core|filters|adapters)\/([^/:]+)/.exec(w);
  return m ? `dgp: ${m[1]}/${m[2]}` : w.split(':')[0]!;
}

export function summarise(p: Profile, top: number): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const key = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'}\t${where(n.callFrame)}`;
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const areas = new Map<string, number>();
  let all = 0;
  let idle = 0;
  for (let i = 0; i < p.samples.length; i++) {
    // A sample stands for the time until the next one (as in Chrome's profiler).
    const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
    const node = byId.get(p.samples[i]!)!;
    all += dt;
    if (node.callFrame.functionName === '(idle)') {
      idle += dt;
      continue;
    }
    self.set(key(node), (self.get(key(node)) ?? 0) + dt);
    areas.set(area(node.callFrame), (areas.get(area(node.callFrame)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const k = key(byId.get(id)!);
      if (!seen.has(k)) (seen.add(k), total.set(k, (total.get(k) ?? 0) + dt));
    }
  }
  const busy = all - idle;
  const pct = (v: number) => `${((v / busy) * 100).toFixed(1)}%`;
  const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, top);
  const fnTable = rows.map(([k, v]) => {
    const [fn, loc] = k.split('\t');
    return `| ${v.toFixed(0)} | ${pct(v)} | ${pct(total.get(k) ?? v)} | \`${fn}\` | ${loc || ''} |`;
  });
  // Own code by inclusive time: which of our functions, with everything they call, cost the most.
  const ours = [...total].filter(([k]) => /\t(core|filters|adapters)\//.test(k)).sort((a, b) => b[1] - a[1]).slice(0, top);
  const oursTable = ours.map(([k, v]) => {
    const [fn, loc] = k.split('\t');
    return `| ${v.toFixed(0)} | ${pct(v)} | ${pct(self.get(k) ?? 0)} | \`${fn}\` | ${loc} |`;
  });
  const areaTable = [...areas].sort((a, b) => b[1] - a[1]).map(([a, v]) => `| ${a} | ${v.toFixed(0)} | ${pct(v)} |`);
  return [
    `Profile: ${(all / 1000).toFixed(1)} s sampled, ${(busy / 1000).toFixed(1)} s busy (${((busy / all) * 100).toFixed(0)}%), ${(idle / 1000).toFixed(1)} s idle. Percentages are of busy time.`,
    '',
    `| self ms | self % | total % | function | where |`,
    '|--:|--:|--:|---|---|',
    ...fnTable,
    '',
    '| total ms | total % | self % | dgp function (with its callees) | where |',
    '|--:|--:|--:|---|---|',
    ...oursTable,
    '',
    '| area | self ms | self % |',
    '|---|--:|--:|',
    ...areaTable,
  ].join('\n');
}

const isMain = import.meta.url === new URL(process.argv[1] ?? '', 'file://').href || process.argv[1]?.endsWith('cpuprofile-summary.ts');
if (isMain) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '30' } } });
  if (positionals.length !== 1) {
    process.stderr.write('usage: npx tsx bench/cpuprofile-summary.ts <file.cpuprofile> [--top 30]\n');
    process.exit(2);
  }
  process.stdout.write(`${summarise(JSON.parse(readFileSync(positionals[0]!, 'utf8')) as Profile, Number(values.top))}\n`);
}
