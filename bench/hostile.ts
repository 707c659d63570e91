/**
 * The hostile mix of issue 12 beside a well-behaved client: the well-behaved client's dashboard p99
 * alone, then while one hostile key sends the doubling-fragment document, the 30-alias × 1,000-row
 * document at 20 concurrent, and 100 exports at once. The gateway must never die, and the
 * dashboard's p99 under the mix should stay within 2× of its p99 alone.
 *
 * `runHostileMix` is for `npm run bench` (bench/run.ts) to call with a running gateway; run this file
 * directly (`node dist/bench/hostile.js` after `tsc -p tsconfig.bench.json`) for a standalone run:
 * the simulator and the gateway in child processes, the gateway with `npm start`'s heap cap.
 * Env: HOSTILE_DURATION_S (10), HOSTILE_SESSIONS (5000), HOSTILE_LATENCY_MS (10), HOSTILE_ONLY
 * (fragments,aliases,exports).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { sha256Hex } from '../src/http/auth/api-keys';
import { drive, type CellResult } from './driver';
import { FRAGMENT_BOMB, WIDE_ALIASES } from './hostile-documents';
import { DASHBOARD_QUERY } from './workloads';

export interface HostileMixOptions {
  /** The gateway, e.g. http://127.0.0.1:4000 */
  url: string;
  /** Headers identifying each client (API keys); the two must be different clients. */
  wellBehaved: Record<string, string>;
  hostile: Record<string, string>;
  /** The well-behaved client's query (the bench's dashboard). */
  dashboardQuery: string;
  durationS: number;
  /** Which attacks to run (default all): fragments, aliases, exports. */
  only?: string[];
  /** Whether the gateway process is still alive (checked after the mix). */
  alive: () => boolean;
}

export interface HostileMixResult {
  /** The dashboard alone, then beside the mix (same concurrency: 1 closed-loop client). */
  alone: CellResult;
  underMix: CellResult;
  /** p99 under the mix ÷ p99 alone: the target is ≤ 2. */
  p99Ratio: number;
  /** HTTP statuses the hostile client got, by kind of attack. */
  hostileStatuses: Record<string, Record<string, number>>;
  gatewayAlive: boolean;
}

/** How long the hostile client waits after a 429 or 503 (the gateway's Retry-After is 1 s or more). */
const REFUSED_PAUSE_MS = 1_000;

/**
 * The well-behaved client refreshes its dashboard four times a second: busy for a person, within the
 * default rate limit (20/s). Closed-loop at full speed it would exceed that limit and measure its own
 * 429s, not the hostile client's effect.
 */
const WELL_BEHAVED_PACE_MS = 250;

export async function runHostileMix(options: HostileMixOptions): Promise<HostileMixResult> {
  const pool = new Pool(options.url, { connections: 256 });
  const statuses: Record<string, Record<string, number>> = {};
  const count = (kind: string, status: string): void => {
    const byStatus = (statuses[kind] ??= {});
    byStatus[status] = (byStatus[status] ?? 0) + 1;
  };
  const gql = async (headers: Record<string, string>, query: string): Promise<number> => {
    const response = await pool.request({
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query }),
    });
    await response.body.dump();
    return response.statusCode;
  };
  const dashboard = async (): Promise<void> => {
    const status = await gql(options.wellBehaved, options.dashboardQuery);
    if (status !== 200) throw new Error(`dashboard answered ${status}`);
  };

  const alone = await drive(dashboard, 1, options.durationS, WELL_BEHAVED_PACE_MS);

  let stopping = false;
  // The hostile client re-sends at once, except after a 429/503, where it waits a second (what
  // Retry-After asks): a loop of instant refusals measures the machine's accept rate, not fairness.
  const attack = async (kind: string, run: () => Promise<number>): Promise<void> => {
    while (!stopping) {
      try {
        const status = await run();
        count(kind, String(status));
        if (status === 429 || status === 503) await new Promise((resolve) => setTimeout(resolve, REFUSED_PAUSE_MS));
      } catch {
        count(kind, 'failed');
        await new Promise((resolve) => setTimeout(resolve, 50)); // a dead gateway must not spin this loop
      }
    }
  };
  const exportOnce = async (): Promise<number> => {
    const response = await pool.request({ method: 'GET', path: '/export/protected-items.csv', headers: options.hostile });
    await response.body.dump();
    return response.statusCode;
  };
  const only = options.only ?? ['fragments', 'aliases', 'exports'];
  const mix = [
    ...(only.includes('fragments') ? [attack('fragment document', () => gql(options.hostile, FRAGMENT_BOMB))] : []),
    ...(only.includes('aliases')
      ? Array.from({ length: 20 }, () => attack('30 aliases × 1,000 rows', () => gql(options.hostile, WIDE_ALIASES)))
      : []),
    ...(only.includes('exports') ? Array.from({ length: 100 }, () => attack('exports', exportOnce)) : []),
  ];
  const underMix = await drive(dashboard, 1, options.durationS, WELL_BEHAVED_PACE_MS);
  stopping = true;
  await Promise.all(mix);
  await pool.close();
  return {
    alone,
    underMix,
    p99Ratio: Math.round((underMix.p99 / alone.p99) * 100) / 100,
    hostileStatuses: statuses,
    gatewayAlive: options.alive(),
  };
}

// ---- standalone run -------------------------------------------------------------------------

function child(
  script: string,
  env: Record<string, string>,
  execArgv: string[] = [],
): Promise<{ proc: ChildProcess; ready: { url: string; credentials: { username: string; password: string } } }> {
  const proc = fork(join(__dirname, script), [], {
    execArgv,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    proc.once('message', (ready: { url: string; credentials: { username: string; password: string } }) => resolve({ proc, ready }));
  });
}

async function main(): Promise<void> {
  const durationS = Number(process.env['HOSTILE_DURATION_S'] ?? 10);
  const sim = await child('child-simulator.js', {
    BENCH_SESSIONS: process.env['HOSTILE_SESSIONS'] ?? '5000',
    BENCH_LATENCY_MS: process.env['HOSTILE_LATENCY_MS'] ?? '10',
  });
  const keysFile = join(mkdtempSync(join(tmpdir(), 'hostile-')), 'api-keys');
  writeFileSync(keysFile, `dashboards ${sha256Hex('well-behaved-key')}\nhostile ${sha256Hex('hostile-key')}\n`);
  const gateway = await child(
    'child-gateway.js',
    {
      VEEAM_BASE_URL: sim.ready.url,
      VEEAM_USERNAME: sim.ready.credentials.username,
      VEEAM_PASSWORD: sim.ready.credentials.password,
      NODE_ENV: 'production',
      AUTH_MODE: 'apikey',
      API_KEYS_FILE: keysFile,
      LOG_LEVEL: 'info',
    },
    ['--max-old-space-size=192'],
  );
  let alive = true;
  gateway.proc.removeAllListeners('exit');
  gateway.proc.once('exit', (code, signal) => {
    alive = false;
    process.stdout.write(`gateway exited: code ${code} signal ${signal}\n`);
  });
  const result = await runHostileMix({
    url: gateway.ready.url,
    wellBehaved: { 'x-api-key': 'well-behaved-key' },
    hostile: { 'x-api-key': 'hostile-key' },
    dashboardQuery: DASHBOARD_QUERY,
    durationS,
    ...(process.env['HOSTILE_ONLY'] ? { only: process.env['HOSTILE_ONLY'].split(',') } : {}),
    alive: () => alive,
  });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (alive) gateway.proc.disconnect();
  sim.proc.removeAllListeners('exit');
  sim.proc.disconnect();
  if (!result.gatewayAlive) process.exitCode = 1;
}

if (require.main === module) void main();
