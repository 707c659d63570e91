/**
 * Compression's price and payoff: the bytes a dashboard answer and a CSV export take raw, as br and
 * as gzip at the gateway's own settings, and the CPU milliseconds each compression costs. The
 * payloads are the gateway's real answers (a gateway and a simulator in this process); the timing
 * is of zlib alone, repeated, so the figure is per answer.
 */
import { performance } from 'node:perf_hooks';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { request } from 'undici';
import { loadConfig } from '../src/config/config';
import { BROTLI_QUALITY, GZIP_LEVEL } from '../src/http/compression';
import { run } from '../src/run';
import { startSimulator } from '../src/simulator';
import { createLogger } from '../src/telemetry/logger';

const REPEATS = 30;

const DASHBOARD = `query Dashboard { sessions(page: {limit: 50}) { totalCount items { id name type status result startTime stopTime durationMs
  protectedItems(page: {limit: 20}) { totalCount items { id instanceId name status region } } } } }`;

interface Figures {
  rawBytes: number;
  brBytes: number;
  gzipBytes: number;
  brMs: number;
  gzipMs: number;
}

function measure(body: Buffer): Figures {
  const timed = (compress: () => Buffer): { bytes: number; ms: number } => {
    let bytes = 0;
    const started = performance.now();
    for (let i = 0; i < REPEATS; i += 1) bytes = compress().length;
    return { bytes, ms: Math.round(((performance.now() - started) / REPEATS) * 100) / 100 };
  };
  const br = timed(() => brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY } }));
  const gzip = timed(() => gzipSync(body, { level: GZIP_LEVEL }));
  return { rawBytes: body.length, brBytes: br.bytes, gzipBytes: gzip.bytes, brMs: br.ms, gzipMs: gzip.ms };
}

async function main(): Promise<void> {
  const sim = await startSimulator({ sessionCount: 5_000 });
  const { username, password } = sim.credentials;
  const config = {
    ...loadConfig({ VEEAM_BASE_URL: sim.url, VEEAM_USERNAME: username, VEEAM_PASSWORD: password, AUTH_MODE: 'none', RATE_LIMIT_RPS: '0' }),
    port: 0,
    host: '127.0.0.1',
  };
  const running = await run(config, createLogger('silent'));
  try {
    const identity = { 'accept-encoding': 'identity' };
    const dashboard = await request(`${running.gateway.url}/graphql`, {
      method: 'POST',
      headers: { ...identity, 'content-type': 'application/json' },
      body: JSON.stringify({ query: DASHBOARD }),
    });
    const dashboardBody = Buffer.from(await dashboard.body.arrayBuffer());
    const exported = await request(`${running.gateway.url}/export/sessions.csv`, { headers: identity });
    const exportBody = Buffer.from(await exported.body.arrayBuffer());
    const result = {
      dashboard: measure(dashboardBody),
      sessionsCsv5000: measure(exportBody),
      brotliQuality: BROTLI_QUALITY,
      gzipLevel: GZIP_LEVEL,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await running.stop();
    await sim.close();
  }
}

if (require.main === module) void main();
