/**
 * The simulator in a worker thread: an isolate, and so a heap, of its own. A test that reads the
 * gateway's heap (test/e2e/retention.test.ts) must not read the simulator's with it. The thread runs
 * the TypeScript sources directly, each file transpiled on require (no type check: `npm test` does that).
 */
const { readFileSync } = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(outputText, filename);
};

const { startSimulator } = require('../../src/simulator');

void startSimulator(workerData).then((sim) => {
  parentPort.postMessage({ url: sim.url, origin: sim.origin, credentials: sim.credentials });
  parentPort.once('message', () => {
    void sim.close().then(() => parentPort.close());
  });
});
