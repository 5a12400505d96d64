// Task `regexSpans`: where each of a list of regular expressions matches in each of a list of texts. Guardrail
// patterns written by users run here, never on the event loop: a pattern that backtracks catastrophically only holds
// one worker, and the caller's time budget (an AbortSignal) terminates that worker.
import { TaskError } from './task-error.js';
import type { RegexSpansInput, RegexSpansOutput } from './types.js';

/** Matches kept per pattern and text; more are not reported (the caller acts on the first ones). */
const MAX_SPANS = 4096;

export function regexSpans(input: RegexSpansInput): RegexSpansOutput {
  if (input === null || typeof input !== 'object' || !Array.isArray(input.patterns) || !Array.isArray(input.texts)) {
    throw new TaskError('DGP_ERR_WORKER_TASK', 'regexSpans: input must be { patterns: [{source, flags}], texts: [string] }.');
  }
  const spans: number[][][] = [];
  for (const { source, flags } of input.patterns) {
    let re: RegExp;
    try {
      re = new RegExp(source, flags.includes('g') ? flags : `${flags}g`);
    } catch (err) {
      throw new TaskError('DGP_ERR_WORKER_TASK', `regexSpans: ${(err as Error).message}`);
    }
    const perText: number[][] = [];
    for (const text of input.texts) {
      const out: number[] = [];
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null && out.length < MAX_SPANS * 2; m = re.exec(text)) {
        // An empty match finds nothing to act on, and would find itself again forever.
        if (m[0].length === 0) re.lastIndex++;
        else out.push(m.index, m.index + m[0].length);
      }
      perText.push(out);
    }
    spans.push(perText);
  }
  return { spans };
}
