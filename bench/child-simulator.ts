/**
 * The simulator in its own process, so its CPU is not the gateway's. Sends its URL over IPC.
 * BENCH_TLS_CERT / BENCH_TLS_KEY (PEM files): serve HTTPS, as appliances do; BENCH_HTTP2=1: offer
 * HTTP/2 by ALPN beside HTTP/1.1.
 */
import { readFileSync } from 'node:fs';
import { startSimulator } from '../src/simulator';

async function main(): Promise<void> {
  const cert = process.env['BENCH_TLS_CERT'];
  const key = process.env['BENCH_TLS_KEY'];
  const sim = await startSimulator({
    sessionCount: Number(process.env['BENCH_SESSIONS'] ?? 5000),
    seed: 1,
    knobs: { latencyMs: Number(process.env['BENCH_LATENCY_MS'] ?? 10) },
    ...(cert && key ? { tls: { cert: readFileSync(cert), key: readFileSync(key) }, http2: process.env['BENCH_HTTP2'] === '1' } : {}),
  });
  process.send?.({ type: 'ready', url: sim.url, origin: sim.origin, credentials: sim.credentials });
  process.on('disconnect', () => {
    void sim.close().then(() => process.exit(0));
  });
}

void main();
