// Manifest of dgp.filter.ai.guardrails: checks on the prompt and on the answer — PII with validation, secrets,
// deny / allow lists, a prompt token limit, a webhook — each with block, redact or warn; streamed answers are checked
// through a bounded hold-back window before any byte leaves. The only file the plugin loader imports.
import { API_VERSION, defineFilter, type FactoryContext } from '../../../core/index.js';
import { compileConfig } from './compile.js';
import { GuardrailsFilter } from './filter.js';
import { GuardrailMetrics } from './metrics.js';
import { GuardrailsConfigSchema, type GuardrailsConfig } from './schema.js';

function warmPool(pool: FactoryContext['workers']): void {
  for (let i = 0; i < pool.threads; i++) pool.run('regexSpans', { patterns: [], texts: [] }).catch(() => undefined);
}

export const KIND = 'dgp.filter.ai.guardrails';

export default defineFilter({
  kind: KIND,
  apiVersion: API_VERSION,
  description: 'PII, secrets, deny/allow lists, prompt size and webhook checks on prompts and answers (streams included), with block, redact or warn.',
  configSchema: GuardrailsConfigSchema,
  // Every pattern compiles (and each check is well formed) at validation, so `dgp validate` reports what start would.
  check: (config: Readonly<GuardrailsConfig>) => (compileConfig(config), []),
  create: (config: Readonly<GuardrailsConfig>, fctx: FactoryContext) => {
    const cfg = compileConfig(config);
    const names = (rules: typeof cfg.input) => rules.map((r) => `${r.name} (${r.action})`).join(', ') || 'none';
    fctx.log.info(`Guardrails: input ${names(cfg.input)}; output ${names(cfg.output)}; stream hold-back ${cfg.holdback} characters.`);
    // User patterns run in the worker pool under a time budget: load the task in every thread now, so the first
    // requests do not spend their budget on a cold worker.
    if ([...cfg.input, ...cfg.output].some((r) => r.detectors.some((d) => !d.trusted))) warmPool(fctx.workers);
    return new GuardrailsFilter(cfg, fctx.workers, new GuardrailMetrics(fctx.metrics), fctx.providers);
  },
});
