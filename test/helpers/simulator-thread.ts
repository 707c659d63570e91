/**
 * The simulator on a thread of its own (simulator-thread.worker.js): for tests that measure the
 * gateway's heap, which the in-process simulator would share.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Simulator, SimulatorOptions } from '../../src/simulator';

export type SimulatorThread = Pick<Simulator, 'url' | 'origin' | 'credentials'> & { close(): Promise<void> };

export async function startSimulatorThread(options: SimulatorOptions): Promise<SimulatorThread> {
  const worker = new Worker(join(__dirname, 'simulator-thread.worker.js'), { workerData: options });
  const started = await new Promise<Pick<Simulator, 'url' | 'origin' | 'credentials'>>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    ...started,
    close: async () => {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage('close');
      await exited;
    },
  };
}
