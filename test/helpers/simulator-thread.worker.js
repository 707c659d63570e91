/**
 * The simulator in a worker thread: an isolate, and so a heap, of its own. A test that reads the
 * gateway's heap (test/e2e/retention.test.ts) must not read the simulator's with it.
 */
const { parentPort, workerData } = require('node:worker_threads');
require('./ts-require');
const { startSimulator } = require('../../src/simulator');

void startSimulator(workerData).then((sim) => {
  parentPort.postMessage({ url: sim.url, origin: sim.origin, credentials: sim.credentials });
  parentPort.once('message', () => {
    void sim.close().then(() => parentPort.close());
  });
});
