/**
 * `npm run bench`: the gateway against the physical floor. Starts the simulator (default 10 ms per
 * call) and the gateway in child processes, drives each workload through both at several
 * concurrencies, reads upstream calls from the simulator's counters and CPU/RSS from the gateway
 * process, then writes bench/results/latest.{json,md,svg}.
 *
 * Env: BENCH_QUICK=1 (a smoke run), BENCH_DURATION_S (10), BENCH_WARMUP_S (2), BENCH_SOAK_S (60),
 * BENCH_LATENCY_MS (10), BENCH_SESSIONS (5000), BENCH_CONNECTIONS (32).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { Pool, request } from 'undici';
import { drive, type CellResult } from './driver';
import { writeReport, type BenchReport, type WorkloadResult } from './report';
import { PAGE_SIZE, workloads, type Upstream, type Workload } from './workloads';

const quick = process.env['BENCH_QUICK'] === '1';
const num = (name: string, fallback: number, quickValue: number): number =>
  process.env[name] !== undefined ? Number(process.env[name]) : quick ? quickValue : fallback;
const DURATION_S = num('BENCH_DURATION_S', 10, 2);
const WARMUP_S = num('BENCH_WARMUP_S', 2, 0.5);
const SOAK_S = num('BENCH_SOAK_S', 60, 5);
const LATENCY_MS = num('BENCH_LATENCY_MS', 10, 10);
const SESSIONS = num('BENCH_SESSIONS', 5000, 2000);
const CONNECTIONS = num('BENCH_CONNECTIONS', 32, 32);
const CONCURRENCY: Record<Workload['name'], number[]> = { dashboard: [1, 64], report: [1, 16], detail: [1, 16] };

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** The gateway runs with the same V8 flags as `npm start` and the Docker image. */
const GATEWAY_NODE_FLAGS = ['--max-old-space-size=192'];

function child<T extends { type: string }>(script: string, env: Record<string, string>): Promise<{ proc: ChildProcess; ready: T }> {
  const execArgv = script === 'child-gateway.js' ? GATEWAY_NODE_FLAGS : [];
  const proc = fork(join(__dirname, script), [], { execArgv, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    proc.once('message', (message: T) => resolve({ proc, ready: message }));
  });
}

function ask<T>(proc: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve) => {
    proc.once('message', (message: T) => resolve(message));
    proc.send({ type });
  });
}

interface GatewayStats {
  cpu: NodeJS.CpuUsage;
  rss: number;
}

async function counters(origin: string): Promise<Record<string, number>> {
  const response = await request(`${origin}/_simulator/counters`);
  return (await response.body.json()) as Record<string, number>;
}

async function resetCounters(origin: string): Promise<void> {
  await (await request(`${origin}/_simulator/reset`, { method: 'POST' })).body.dump();
}

const totalOf = (snapshot: Record<string, number>): number =>
  Object.entries(snapshot).reduce((sum, [endpoint, count]) => (endpoint.includes('/token') ? sum : sum + count), 0);

async function main(): Promise<void> {
  say(`bench: ${quick ? 'QUICK ' : ''}${SESSIONS} sessions, ${LATENCY_MS} ms per upstream call, ${DURATION_S} s per cell`);
  const sim = await child<{ type: string; url: string; origin: string; credentials: { username: string; password: string } }>(
    'child-simulator.js',
    { BENCH_SESSIONS: String(SESSIONS), BENCH_LATENCY_MS: String(LATENCY_MS) },
  );
  const { url: simUrl, origin, credentials } = sim.ready;
  const gatewayEnv = (extra: Record<string, string>) => ({
    VEEAM_BASE_URL: simUrl,
    VEEAM_USERNAME: credentials.username,
    VEEAM_PASSWORD: credentials.password,
    VEEAM_MAX_CONNECTIONS: String(CONNECTIONS),
    VEEAM_PAGE_SIZE: String(PAGE_SIZE),
    MAX_PAGE_LIMIT: '1000',
    LOG_LEVEL: 'info',
    NODE_ENV: 'production',
    // The benchmark is one client: measure the gateway, not its rate limit. Auth: the cheapest mode.
    AUTH_MODE: 'none',
    RATE_LIMIT_RPS: '0',
    ...extra,
  });
  // Both sides do the same upstream work: no stored answers (in-flight sharing stays, it is the gateway).
  const gw = await child<{ type: string; url: string }>('child-gateway.js', gatewayEnv({ CACHE_FINISHED_TTL_MS: '0', CACHE_LIVE_TTL_MS: '0' }));

  const base = new URL(simUrl);
  const upstreamPool = new Pool(origin, { connections: CONNECTIONS, pipelining: 1 });
  const token = await (async () => {
    const response = await upstreamPool.request({
      method: 'POST',
      path: `${base.pathname}/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-api-version': '1.0-rev0' },
      body: new URLSearchParams({ grant_type: 'password', ...credentials }).toString(),
    });
    return ((await response.body.json()) as { access_token: string }).access_token;
  })();
  const upstream: Upstream = {
    pool: upstreamPool,
    basePath: base.pathname,
    headers: { authorization: `Bearer ${token}`, 'x-api-version': '1.0-rev0', accept: 'application/json' },
  };
  const gatewayPool = new Pool(gw.ready.url, { connections: 64, pipelining: 1 });
  const gql = async (workload: Workload): Promise<unknown> => {
    const response = await gatewayPool.request({
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: workload.query, variables: workload.variables }),
    });
    const body = (await response.body.json()) as { data?: unknown; errors?: unknown[] };
    if (response.statusCode !== 200 || body.errors) throw new Error(`gateway answered ${response.statusCode} ${JSON.stringify(body.errors)}`);
    return body.data;
  };

  // A finished backup session with items for `detail`; the last 30 days for `report`.
  const sessions = (await (await upstreamPool.request({ method: 'GET', path: `${base.pathname}/sessions?Offset=0&Limit=200&Sort=startTimeDesc&Types=Policy&Status=Succeeded`, headers: upstream.headers })).body.json()) as {
    results: Array<{ id: string; executionStartTime?: string }>;
  };
  const detailId = sessions.results[5]?.id ?? '';
  const newest = Date.parse(`${sessions.results[0]?.executionStartTime ?? new Date().toISOString().slice(0, 19)}Z`);
  const all = workloads(detailId, new Date(newest - 30 * 86_400_000).toISOString(), new Date(newest).toISOString());

  const results: WorkloadResult[] = [];
  for (const workload of all) {
    const gatewayIds = workload.idsOf(await gql(workload));
    const floorIds = await workload.floor(upstream);
    if (JSON.stringify(gatewayIds) !== JSON.stringify(floorIds)) throw new Error(`${workload.name}: the gateway and the floor disagree`);
    await resetCounters(origin);
    await gql(workload);
    const gatewayCalls = totalOf(await counters(origin));
    await resetCounters(origin);
    await workload.floor(upstream);
    const floorCalls = totalOf(await counters(origin));

    const cells: WorkloadResult['cells'] = [];
    for (const concurrency of CONCURRENCY[workload.name]) {
      const runFloor = async (): Promise<void> => void (await workload.floor(upstream));
      const runGateway = async (): Promise<void> => void (await gql(workload));
      await drive(runFloor, concurrency, WARMUP_S);
      const floor = await drive(runFloor, concurrency, DURATION_S);
      await drive(runGateway, concurrency, WARMUP_S);
      // Measured after the warm-up: CPU, calls and latencies are of the measured queries only.
      const before = await ask<GatewayStats>(gw.proc, 'stats');
      await resetCounters(origin);
      const gateway: CellResult = await drive(runGateway, concurrency, DURATION_S);
      const after = await ask<GatewayStats>(gw.proc, 'stats');
      const calls = totalOf(await counters(origin));
      const queries = gateway.requests + gateway.errors;
      const cpuMs = (after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / 1000;
      cells.push({
        concurrency,
        gateway,
        floor,
        p50Ratio: Math.round((gateway.p50 / floor.p50) * 100) / 100,
        throughputRatio: Math.round((gateway.throughput / floor.throughput) * 100) / 100,
        cpuMsPerQuery: Math.round((cpuMs / Math.max(1, queries)) * 100) / 100,
        upstreamCallsPerQuery: Math.round((calls / Math.max(1, queries)) * 100) / 100,
        rssMb: Math.round(after.rss / 1048576),
      });
      const c = cells[cells.length - 1];
      if (c) {
        say(
          `${workload.name.padEnd(9)} c=${String(concurrency).padEnd(3)} gateway p50 ${gateway.p50} ms p99 ${gateway.p99} ms ${gateway.throughput}/s | ` +
            `floor p50 ${floor.p50} ms ${floor.throughput}/s | ratio p50 ${c.p50Ratio} thr ${c.throughputRatio} | cpu ${c.cpuMsPerQuery} ms/q | rss ${c.rssMb} MB`,
        );
      }
    }
    results.push({ name: workload.name, description: workload.description, gatewayCallsPerQuery: gatewayCalls, floorCallsPerQuery: floorCalls, cells });
  }

  // With caching on, a repeated dashboard within the TTL makes no upstream call.
  const cached = await child<{ type: string; url: string }>('child-gateway.js', gatewayEnv({ CACHE_LIVE_TTL_MS: '60000' }));
  const cachedPool = new Pool(cached.ready.url, { connections: 1 });
  const dashboard = all[0];
  const post = async (): Promise<void> => {
    const response = await cachedPool.request({ method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: dashboard?.query }) });
    await response.body.dump();
  };
  await post();
  await resetCounters(origin);
  await post();
  const repeatedDashboardCalls = totalOf(await counters(origin));
  await cachedPool.close();
  cached.proc.disconnect();

  // The soak: dashboard at concurrency 64 for SOAK_S seconds, RSS sampled every second.
  const rssSamples: number[] = [];
  const sampler = setInterval(() => {
    void ask<GatewayStats>(gw.proc, 'stats').then((s) => rssSamples.push(Math.round(s.rss / 1048576)));
  }, 1000);
  const soak = dashboard ? await drive(async () => void (await gql(dashboard)), 64, SOAK_S) : undefined;
  clearInterval(sampler);

  const report: BenchReport = {
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGb: Math.round(totalmem() / 1073741824), node: process.version },
    settings: { quick, sessions: SESSIONS, latencyMs: LATENCY_MS, durationS: DURATION_S, warmupS: WARMUP_S, soakS: SOAK_S, connections: CONNECTIONS, pageSize: PAGE_SIZE },
    workloads: results,
    repeatedDashboardCallsWithCache: repeatedDashboardCalls,
    soak: { concurrency: 64, seconds: SOAK_S, throughput: soak?.throughput ?? 0, p99: soak?.p99 ?? 0, errors: soak?.errors ?? 0, rssMb: rssSamples },
  };
  const files = await writeReport(report, join(__dirname, '..', '..', 'bench', 'results'));
  say(`\nwrote ${files.join(', ')}`);
  await gatewayPool.close();
  await upstreamPool.close();
  gw.proc.disconnect();
  sim.proc.disconnect();
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
