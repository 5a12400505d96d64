// Writes docs/errors.md from the one error-code registry (core/errors.ts); test/core/errors.test.ts keeps them in step.
import { writeFileSync } from 'node:fs';
import { ERROR_CODES, type ErrorCodeInfo } from '../core/errors.js';

const AREAS: Record<string, string> = {
  CONFIG: 'Config (conf.yaml)',
  PLUGIN: 'Plugins',
  HTTP: 'HTTP (listeners, routes, requests)',
  UPSTREAM: 'Upstream (dgp.filter.llm.proxy)',
  WORKER: 'Worker pool',
  SSE: 'Server-sent events',
  PROVIDER: 'Provider adapters',
  PRICING: 'Pricing (the price book)',
  REGISTRY: 'Registry adapters (Nacos, etcd)',
  KVCACHE: 'KV-cache routing (dgp.filter.ai.kvcache; logged and counted, never sent to clients)',
};

const groups = new Map<string, Array<[string, ErrorCodeInfo]>>();
for (const [code, info] of Object.entries(ERROR_CODES) as Array<[string, ErrorCodeInfo]>) {
  const area = code.split('_')[2] ?? 'OTHER';
  const key = AREAS[area] ? area : 'OTHER';
  if (!groups.has(key)) groups.set(key, []);
  groups.get(key)!.push([code, info]);
}

let out = `# Error codes

Every error the gateway reports carries a code \`DGP_ERR_<AREA>_<WHAT>\`: in \`dgp validate\` output, in log lines, and
inside every local error reply (OpenAI shape: \`error.code\`; Anthropic: \`error.code\`; Gemini:
\`error.details[0].reason\`; Pixiu shape: \`code\`). The HTTP status applies when the error becomes a reply.
This page is generated from \`core/errors.ts\` by \`npm run gen:errors\`; a test keeps the two in step.
`;
for (const [key, title] of [...Object.entries(AREAS), ['OTHER', 'Reload, admin and command line']] as Array<[string, string]>) {
  const rows = groups.get(key);
  if (!rows) continue;
  out += `\n## ${title}\n`;
  for (const [code, info] of rows) out += `\n### ${code}\n\nHTTP status ${info.status}. ${info.summary}\n\n**Fix:** ${info.fix}\n`;
}
writeFileSync(new URL('../docs/errors.md', import.meta.url), out);
