// The piscina worker entry: runs one named pure task and returns its result as data (errors included, so their
// codes survive the thread boundary). Everything CPU-heavy — BPE, hashing big bodies — runs here, never on the loop.
import { countChatTokens } from './tasks/count-chat-tokens.js';
import { hash } from './tasks/hash.js';
import { prefixHashes } from './tasks/prefix-hashes.js';
import { regexSpans } from './tasks/regex-spans.js';
import { TaskError } from './tasks/task-error.js';
import { tokenize } from './tasks/tokenize.js';
import type { TaskRequest, TaskResult } from './tasks/types.js';

export const TASKS: Readonly<Record<string, (input: never) => unknown>> = { tokenize, countChatTokens, hash, prefixHashes, regexSpans };

export default function runTask({ task, input }: TaskRequest): TaskResult<unknown> {
  const fn = Object.hasOwn(TASKS, task) ? TASKS[task] : undefined;
  if (!fn) return { ok: false, code: 'DGP_ERR_WORKER_UNKNOWN_TASK', message: `Unknown worker task "${task}"; known: ${Object.keys(TASKS).join(', ')}.` };
  try {
    return { ok: true, value: fn(input as never) };
  } catch (err) {
    if (err instanceof TaskError) return { ok: false, code: err.code, message: err.message };
    return { ok: false, code: 'DGP_ERR_WORKER_TASK', message: `Worker task "${task}" failed: ${(err as Error)?.message ?? String(err)}` };
  }
}
