// Task `prefixHashes`: chained SHA-256 hashes of fixed-size token blocks, so two prompts sharing a prefix share the
// leading hashes (cache-aware routing). Only whole blocks are hashed, like vLLM's prefix cache.
import { createHash } from 'node:crypto';
import { chooseEncoding, getEncoder } from './encodings.js';
import { TaskError } from './task-error.js';
import type { PrefixHashesInput, PrefixHashesOutput } from './types.js';

export function prefixHashes(input: PrefixHashesInput): PrefixHashesOutput {
  const blockSize = input?.blockSize;
  if (!Number.isInteger(blockSize) || blockSize <= 0) {
    throw new TaskError('DGP_ERR_WORKER_TASK', `prefixHashes: blockSize must be a positive integer, got ${String(blockSize)}.`);
  }
  let ids: ArrayLike<number>;
  let encoding = 'ids';
  if (Array.isArray(input.ids)) {
    ids = input.ids;
  } else if (typeof input.text === 'string') {
    const encoder = getEncoder(chooseEncoding(input));
    ids = encoder.encode(input.text);
    encoding = encoder.name;
  } else {
    throw new TaskError('DGP_ERR_WORKER_TASK', 'prefixHashes: give input.text (a string) or input.ids (an array of token ids).');
  }
  const hashes: string[] = [];
  let prev = createHash('sha256').update(input.seed ?? '', 'utf8').digest();
  const block = Buffer.alloc(blockSize * 4);
  for (let start = 0; start + blockSize <= ids.length; start += blockSize) {
    for (let i = 0; i < blockSize; i++) block.writeUInt32LE(ids[start + i]! >>> 0, i * 4);
    prev = createHash('sha256').update(prev).update(block).digest();
    hashes.push(prev.toString('hex'));
  }
  return { tokens: ids.length, blockSize, hashes, encoding };
}
