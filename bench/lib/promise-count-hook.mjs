// Preloaded into a gateway by bench/alloc-count.ts (node --import): counts the promises the process creates and
// prints the count on SIGUSR2. Counting slows promises down; the count itself does not depend on machine load.
import { createHook } from 'node:async_hooks';

let promises = 0;
createHook({
  init(_id, type) {
    if (type === 'PROMISE') promises++;
  },
}).enable();
process.on('SIGUSR2', () => process.stdout.write(`DGP_PROMISES ${promises}\n`));
