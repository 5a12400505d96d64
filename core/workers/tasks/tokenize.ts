// Task `tokenize`: token count (and optionally ids) of one text with the model's encoding.
import { chooseEncoding, getEncoder } from './encodings.js';
import { TaskError } from './task-error.js';
import type { TokenizeInput, TokenizeOutput } from './types.js';

export function tokenize(input: TokenizeInput): TokenizeOutput {
  if (typeof input?.text !== 'string') throw new TaskError('DGP_ERR_WORKER_TASK', 'tokenize: input.text must be a string.');
  const encoder = getEncoder(chooseEncoding(input));
  const ids = encoder.encode(input.text);
  const out: TokenizeOutput = { count: ids.length, encoding: encoder.name };
  if (input.ids) out.ids = Array.from(ids);
  return out;
}
