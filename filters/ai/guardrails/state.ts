// Per-request state of the filter (on the request context, never in the factory's closure): the verdicts so far, so
// encode can name warned rules in a header and the log line can list what fired.
import { defineAttribute } from '../../../core/index.js';
import type { Action } from './compile.js';
import type { Stage } from './metrics.js';

export interface Verdict {
  readonly rule: string;
  readonly check: string;
  readonly stage: Stage;
  readonly action: Action | 'error';
  /** Matches found (1 for a webhook, max_tokens or allow verdict). */
  readonly count: number;
}

export class GuardState {
  readonly verdicts: Verdict[] = [];

  warned(): string[] {
    return [...new Set(this.verdicts.filter((v) => v.action === 'warn').map((v) => v.rule))];
  }
}

export const GuardStateKey = defineAttribute<GuardState>('dgp.filter.ai.guardrails/state');
