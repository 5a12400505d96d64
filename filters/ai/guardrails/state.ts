// Per-request state of the filter (on the request context, never in the factory's closure): the verdicts so far,
// shared with the audit record and traces through LlmGuardrailVerdicts, so encode can name warned rules in a header.
import { defineAttribute } from '../../../core/index.js';
import type { GuardrailVerdict } from '../../../core/llm/index.js';

export type Verdict = GuardrailVerdict;

export class GuardState {
  /** The same array LlmGuardrailVerdicts publishes. */
  readonly verdicts: Verdict[] = [];

  warned(): string[] {
    return [...new Set(this.verdicts.filter((v) => v.action === 'warn').map((v) => v.rule))];
  }
}

export const GuardStateKey = defineAttribute<GuardState>('dgp.filter.ai.guardrails/state');
