/**
 * `npm run simulator`: the simulator on its own, for trying the gateway against it or for
 * benchmarks. Env: SIM_PORT (11005, the appliance's default), SIM_HOST, SIM_SESSIONS, SIM_SEED,
 * SIM_LATENCY_MS, SIM_JITTER_MS, SIM_TLS_CERT / SIM_TLS_KEY (PEM paths: HTTPS), SIM_HTTP2=true (with
 * TLS: HTTP/2 offered by ALPN beside HTTP/1.1), SIM_API_VERSIONS
 * (the accepted x-api-version window, comma-separated, e.g. `1.4-rev0,1.5-rev0,1.5-rev1,1.6-rev0`;
 * default every known revision). Read in env.ts.
 */
import { EnvError, simulatorOptionsFromEnv } from './env';
import { startSimulator } from './index';

async function main(): Promise<void> {
  const sim = await startSimulator(simulatorOptionsFromEnv(process.env));
  process.stdout.write(
    `Veeam Backup for AWS simulator\n  base URL:    ${sim.url}\n` +
      `  credentials: ${sim.credentials.username} / ${sim.credentials.password} (demo only)\n` +
      `  revisions:   ${sim.apiVersions.join(', ')}\n` +
      `  admin:       ${sim.origin}/_simulator/counters, ${sim.origin}/_simulator/api-versions\n`,
  );
  const stop = (): void => {
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  if (error instanceof EnvError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`simulator failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
