// The filter's metrics: what each rule did (by check kind, stage and action), what it found (by entity), and the
// checks that could not decide (budget spent, webhook down) with the fail mode applied. Labels come from the config.
import type { Counter } from 'prom-client';
import type { MetricsApi } from '../../../core/index.js';

export type Stage = 'input' | 'output';

export class GuardrailMetrics {
  readonly decisions: Counter<'rule' | 'check' | 'stage' | 'action'>;
  readonly findings: Counter<'rule' | 'entity' | 'stage'>;
  readonly errors: Counter<'rule' | 'check' | 'stage' | 'reason' | 'fail'>;

  constructor(m: MetricsApi) {
    this.decisions = m.counter({
      name: 'dgp_guardrail_decisions_total',
      help: 'Guardrail rules that fired, by rule, check kind, stage (input, output) and the action taken (block, redact, warn).',
      labelNames: ['rule', 'check', 'stage', 'action'],
    });
    this.findings = m.counter({
      name: 'dgp_guardrail_findings_total',
      help: 'Matches found by guardrail rules, by rule, entity (email, card, openai_key, a custom pattern name, deny, ...) and stage.',
      labelNames: ['rule', 'entity', 'stage'],
    });
    this.errors = m.counter({
      name: 'dgp_guardrail_errors_total',
      help: 'Guardrail checks that could not decide, by rule, check, stage, reason (timeout, error, too_large) and the fail mode applied (open, closed).',
      labelNames: ['rule', 'check', 'stage', 'reason', 'fail'],
    });
  }
}
