/**
 * Runs heap-probe.ts in a worker thread: the test sets the thread's young generation (resourceLimits)
 * instead of inheriting whatever V8 sized from the host's memory.
 */
const { parentPort, workerData } = require('node:worker_threads');
require('./ts-require');
const { dashboardLeftovers } = require('./heap-probe.ts');

dashboardLeftovers(workerData).then(
  (rounds) => parentPort.postMessage({ rounds }),
  (error) => parentPort.postMessage({ error: error instanceof Error ? error.stack : String(error) }),
);
