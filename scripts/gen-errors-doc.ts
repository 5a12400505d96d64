// Writes docs/errors.md from the host's error-code registry (core/errors.ts) and every code the built-in plugins and
// the LLM layer register with defineErrorCode; test/core/errors.test.ts keeps them in step.
import { writeFileSync } from 'node:fs';
import { ERROR_CODES, type ErrorCodeInfo } from '../core/errors.js';
import { loadBuiltinErrorCodes } from './builtin-error-codes.js';

const AREAS: Record<string, string> = {
  CONFIG: 'Config (conf.yaml)',
  PLUGIN: 'Plugins',
  HTTP: 'HTTP (listeners, routes, requests)',
  ADMISSION: 'Admission control (the concurrency caps, their queue, heap shedding; docs/admission.md)',
  UPSTREAM: 'Upstream (dgp.filter.llm.proxy)',
  PROXY: 'Proxy requests (dgp.filter.llm.proxy, filters/llm/proxy/errors.ts)',
  WORKER: 'Worker pool',
  SSE: 'Server-sent events',
  PROVIDER: 'Provider codecs (dgp-gateway/llm, core/llm/errors.ts)',
  PRICING: 'Pricing (dgp-gateway/llm, core/llm/pricing: the price book)',
  REGISTRY: 'Registry adapters (Nacos, etcd)',
  STORE: 'Stores (memory, Redis)',
  KEYS: 'Keys and identity (dgp.filter.llm.keys, filters/llm/keys/errors.ts)',
  KEYSTORE: 'Key stores (dgp.adapter.store.sqlite, dgp.adapter.store.postgres)',
  RATELIMIT: 'Rate limits (dgp.filter.llm.ratelimit, filters/llm/ratelimit/errors.ts)',
  KVCACHE: 'KV-cache routing (dgp.filter.ai.kvcache, filters/ai/kvcache/errors.ts; logged and counted, never sent to clients)',
};

const plugin = await loadBuiltinErrorCodes();
const groups = new Map<string, Array<[string, ErrorCodeInfo]>>();
for (const [code, info] of [...(Object.entries(ERROR_CODES) as Array<[string, ErrorCodeInfo]>), ...plugin]) {
  const area = code.split('_')[2] ?? 'OTHER';
  const key = AREAS[area] ? area : 'OTHER';
  if (!groups.has(key)) groups.set(key, []);
  groups.get(key)!.push([code, info]);
}

let out = `# Error codes

Every error the gateway reports carries a code \`DGP_ERR_<AREA>_<WHAT>\`: in \`dgp validate\` output, in log lines, and
inside every local error reply (OpenAI shape: \`error.code\`; Anthropic: \`error.code\`; Gemini: the \`reason\` of the
\`google.rpc.ErrorInfo\` entry in \`error.details\`; Pixiu shape: \`code\`). The HTTP status applies when the error
becomes a reply. The host's codes live in \`core/errors.ts\`; a plugin's codes live in its own folder, defined with
\`defineErrorCode(code, status, { summary, fix })\`. This page is generated from both by \`npm run gen:errors\`; a test
keeps it in step.
`;
for (const [key, title] of [...Object.entries(AREAS), ['OTHER', 'Reload, admin and command line']] as Array<[string, string]>) {
  const rows = groups.get(key);
  if (!rows) continue;
  out += `\n## ${title}\n`;
  for (const [code, info] of rows) out += `\n### ${code}\n\nHTTP status ${info.status}. ${info.summary}\n\n**Fix:** ${info.fix}\n`;
}
writeFileSync(new URL('../docs/errors.md', import.meta.url), out);
