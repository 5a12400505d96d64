// Preloaded into a gateway by bench/alloc-count.ts --heap-prof (node --import): the first SIGUSR2 starts V8's sampling
// heap profiler, counting objects the scavenger already freed too; the second writes DGP_HEAP_PROF_DIR/<pid>.heapprofile,
// which Chrome DevTools opens, and bench/heapprofile-summary.ts ranks by allocation site.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const session = new Session();
session.connect();
let sampling = false;
process.on('SIGUSR2', () => {
  if (!sampling) {
    sampling = true;
    session.post('HeapProfiler.startSampling', { samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    return;
  }
  session.post('HeapProfiler.stopSampling', (err, res) => {
    if (err) return void process.stderr.write(`heap profile: ${err.message}\n`);
    writeFileSync(join(process.env.DGP_HEAP_PROF_DIR ?? '.', `${process.pid}.heapprofile`), JSON.stringify(res.profile));
    process.stdout.write('DGP_HEAP_PROFILE written\n');
  });
  sampling = false;
});
