/**
 * `npm run simulator`: the simulator on its own, for trying the gateway against it or for
 * benchmarks. Env: SIM_PORT (11005, the appliance's default), SIM_HOST, SIM_SESSIONS, SIM_SEED,
 * SIM_LATENCY_MS, SIM_JITTER_MS, SIM_TLS_CERT / SIM_TLS_KEY (PEM paths: HTTPS).
 */
import { readFileSync } from 'node:fs';
import { startSimulator } from './index';

function int(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text)) {
    process.stderr.write(`${name} must be a whole number, got ${JSON.stringify(text)}\n`);
    process.exit(2);
  }
  return Number(text);
}

async function main(): Promise<void> {
  const cert = process.env['SIM_TLS_CERT'];
  const key = process.env['SIM_TLS_KEY'];
  const sim = await startSimulator({
    port: int('SIM_PORT', 11005),
    host: process.env['SIM_HOST'] || '127.0.0.1',
    sessionCount: int('SIM_SESSIONS', 3000),
    seed: int('SIM_SEED', 1),
    knobs: { latencyMs: int('SIM_LATENCY_MS', 0), jitterMs: int('SIM_JITTER_MS', 0) },
    ...(cert && key ? { tls: { cert: readFileSync(cert), key: readFileSync(key) } } : {}),
  });
  process.stdout.write(
    `Veeam Backup for AWS simulator\n  base URL:    ${sim.url}\n` +
      `  credentials: ${sim.credentials.username} / ${sim.credentials.password} (demo only)\n` +
      `  admin:       ${sim.origin}/_simulator/counters\n`,
  );
  const stop = (): void => {
    sim.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`simulator failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
