// Entry of the one-shot config-parsing thread (load-off-thread.ts): loads the config named in workerData and posts
// back everything but `locate` (a function).
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfig, type LoadOptions } from './load.js';

const { locate: _locate, ...data } = await loadConfig(workerData as LoadOptions);
parentPort!.postMessage(data);
