// V8 settings for the gateway process, applied before any other module is evaluated (cli.ts imports this first).
//
// Allocation-site pretenuring is off: a request's objects live exactly as long as the request, which under load is
// longer than the interval between two young-generation collections. V8 reads that as "long-lived" and starts
// allocating those objects straight into the old generation, where every young buffer they point to (each streamed
// chunk) is then kept until the next full collection. Measured on the SSE benchmark: 12% of the main thread in the
// garbage collector with pretenuring, 7% without (docs/performance.md). `node --allocation-site-pretenuring` (or the
// same in NODE_OPTIONS) keeps V8's default.
import { setFlagsFromString } from 'node:v8';

const explicit = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((a) => /^--(no-)?allocation[-_]site[-_]pretenuring$/.test(a));
if (!explicit) setFlagsFromString('--no-allocation-site-pretenuring');
