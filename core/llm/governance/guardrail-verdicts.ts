// The guardrail verdicts of one request, published by a guardrails filter so the audit record, traces and logs can say
// which rule fired, where and with what action — rule names and counts only, never the matched text. Absent: no
// guardrails filter looked at the request.
import { defineAttribute } from '../../index.js';

export interface GuardrailVerdict {
  /** The rule's configured name. */
  readonly rule: string;
  /** The check kind: pii, secrets, deny, allow, max_tokens, webhook. */
  readonly check: string;
  readonly stage: 'input' | 'output';
  /** What was done; `error` when the check could not decide (its fail mode then applied). */
  readonly action: 'block' | 'redact' | 'warn' | 'error';
  /** Matches found (1 for a verdict without matches: webhook, max_tokens, allow). */
  readonly count: number;
}

/** The list grows while the request runs (output verdicts arrive as a stream is checked); read it at the end. */
export const LlmGuardrailVerdicts = defineAttribute<GuardrailVerdict[]>('dgp.llm.guardrail_verdicts');
