// Worker thread entry when running from TypeScript sources: installs ts-hooks.mjs, then
// loads the worker (workerData.entry). Compiled builds start worker-main.js directly.
import { register } from 'node:module';
import { workerData } from 'node:worker_threads';

register('./ts-hooks.mjs', import.meta.url);
await import(workerData.entry);
