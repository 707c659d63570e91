/**
 * The simulator in its own process, so its CPU is not the gateway's. Sends its URL over IPC.
 */
import { startSimulator } from '../src/simulator';

async function main(): Promise<void> {
  const sim = await startSimulator({
    sessionCount: Number(process.env['BENCH_SESSIONS'] ?? 5000),
    seed: 1,
    knobs: { latencyMs: Number(process.env['BENCH_LATENCY_MS'] ?? 10) },
  });
  process.send?.({ type: 'ready', url: sim.url, origin: sim.origin, credentials: sim.credentials });
  process.on('disconnect', () => {
    void sim.close().then(() => process.exit(0));
  });
}

void main();
