/**
 * `npm run bench`: the gateway against the physical floor. Starts the simulator and gateways in child
 * processes, drives each workload through the floor (the same upstream calls made directly, on an
 * uncapped Agent) and through the gateway as shipped (its defaults; cold = the finished-item cache
 * off, warm = as shipped), at upstream latencies 0 and 10 ms, then writes
 * bench/results/latest.{json,md,svg}.
 *
 * Env: BENCH_QUICK=1 (a smoke run), BENCH_DURATION_S (8), BENCH_WARMUP_S (1), BENCH_ROUNDS (4: the
 * turns the floor and the gateways take in a cell, alternately), BENCH_SOAK_S (60; 0 skips),
 * BENCH_LATENCIES (0,10), BENCH_SESSIONS (5000), BENCH_COMPARE_CONNECTIONS (8: the budget compared
 * with the shipped default), BENCH_ONLY (workload names), BENCH_MODES (floor,cold,warm,budget),
 * BENCH_CPU_PROF=<dir> (profile the cold and warm gateways with --cpu-prof: cold.cpuprofile, warm.cpuprofile), BENCH_CONCURRENCIES (1,64: the cells to run),
 * BENCH_NODE_FLAGS (extra V8 flags for the gateways, comma-separated), BENCH_HOSTILE=0, BENCH_COMPRESSION=0 and
 * BENCH_H2=0 (skip those parts), BENCH_APPLIANCE (http; https: the simulator over TLS, HTTP/1.1 only;
 * https-h2: over TLS offering HTTP/2 by ALPN; the gateways and the floor trust its test CA),
 * BENCH_FLOOR_HTTP2=1 (with https-h2: the floor over HTTP/2 too), BENCH_JSON=<file> (write the cells
 * there instead of bench/results: bench/h2.ts reads them).
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Agent, Pool, request, type Dispatcher } from 'undici';
import { makeTestPki } from '../test/helpers/tls';
import { DEFAULT_API_VERSIONS } from '../src/simulator';
import { drive, sample, summarise, type Samples } from './driver';
import { writeReport, type BenchReport, type Cell, type Mode } from './report';
import { workloads, type Upstream, type Workload } from './workloads';

const quick = process.env['BENCH_QUICK'] === '1';
const num = (name: string, fallback: number, quickValue: number): number =>
  process.env[name] !== undefined ? Number(process.env[name]) : quick ? quickValue : fallback;
const list = (name: string, fallback: string): string[] =>
  (process.env[name] ?? fallback)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const DURATION_S = num('BENCH_DURATION_S', 8, 2);
const WARMUP_S = num('BENCH_WARMUP_S', 1, 0.5);
/** Turns per cell: the floor and the gateways take DURATION_S / ROUNDS each, alternately. */
const ROUNDS = Math.max(1, Math.floor(num('BENCH_ROUNDS', 4, 1)) || 1);
const SOAK_S = num('BENCH_SOAK_S', 60, 5);
const SESSIONS = num('BENCH_SESSIONS', 5000, 2000);
const COMPARE_CONNECTIONS = num('BENCH_COMPARE_CONNECTIONS', 8, 8);
const LATENCIES = list('BENCH_LATENCIES', '0,10').map(Number);
const ONLY = list('BENCH_ONLY', 'dashboard,detail,report');
const MODES = list('BENCH_MODES', 'floor,cold,warm,budget');
const CPU_PROF = process.env['BENCH_CPU_PROF'];
const CONCURRENCIES = list('BENCH_CONCURRENCIES', '1,64').map(Number);
const APPLIANCES = ['http', 'https', 'https-h2'] as const;
const APPLIANCE = process.env['BENCH_APPLIANCE'] ?? 'http';
if (!(APPLIANCES as readonly string[]).includes(APPLIANCE)) throw new Error(`BENCH_APPLIANCE must be one of ${APPLIANCES.join(', ')}`);
const JSON_OUT = process.env['BENCH_JSON'];
/** The concurrencies per workload and mode; c=64 is the dashboard's throughput cell. */
const CELLS: Record<Workload['name'], Partial<Record<Mode, number[]>>> = {
  dashboard: { floor: [1, 64], cold: [1, 64], warm: [1], budget: [1, 64] },
  detail: { floor: [1], cold: [1], warm: [1] },
  // Lists are live data: the finished-item cache does not apply, warm would repeat cold.
  report: { floor: [1], cold: [1] },
};

/**
 * c=64 is 8 clients with 8 dashboards each: the gateway admits MAX_CLIENT_REQUESTS (8) per client by
 * default, so one client at c=64 would measure refusals. Each client has its own API key.
 */
const CLIENTS = 8;
const clientKey = (worker: number): string => `bench-key-${worker % CLIENTS}`;
function apiKeysFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'bench-keys-')), 'api-keys');
  const lines = Array.from({ length: CLIENTS }, (_, i) => `bench-${i} ${createHash('sha256').update(clientKey(i)).digest('hex')}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** The gateway runs with the same V8 flags as `npm start` and the Docker image (BENCH_NODE_FLAGS adds some, for experiments). */
const GATEWAY_NODE_FLAGS = ['--max-old-space-size=192', ...list('BENCH_NODE_FLAGS', '')];

interface Ready {
  type: string;
  url: string;
  origin: string;
  /** The gateway's VEEAM_MAX_CONNECTIONS and VEEAM_API_VERSION (gateways only). */
  maxConnections?: number;
  apiVersion?: string;
  credentials: { username: string; password: string };
}

function child(script: string, env: Record<string, string>, execArgv: string[] = []): Promise<{ proc: ChildProcess; ready: Ready }> {
  const proc = fork(join(__dirname, script), [], {
    execArgv,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    proc.once('message', (message: Ready) => resolve({ proc, ready: message }));
  });
}

function stop(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    proc.removeAllListeners('exit');
    proc.once('exit', () => resolve());
    proc.disconnect();
  });
}

interface GatewayStats {
  cpu: NodeJS.CpuUsage;
  rss: number;
  maxInflight: number;
  connectionsOpen: Record<string, number>;
}

function stats(proc: ChildProcess): Promise<GatewayStats> {
  return new Promise((resolve) => {
    const onMessage = (message: GatewayStats & { type: string }): void => {
      if (message.type !== 'stats') return;
      proc.off('message', onMessage);
      resolve(message);
    };
    proc.on('message', onMessage);
    proc.send({ type: 'stats' });
  });
}

/** The bench's own calls to the simulator (admin, setup): they trust its test CA when it serves HTTPS. */
let direct: Dispatcher = new Agent();

async function counters(origin: string): Promise<Record<string, number>> {
  const response = await request(`${origin}/_simulator/counters`, { dispatcher: direct });
  return (await response.body.json()) as Record<string, number>;
}

async function resetCounters(origin: string): Promise<void> {
  await (await request(`${origin}/_simulator/reset`, { method: 'POST', dispatcher: direct })).body.dump();
}

async function setLatency(origin: string, latencyMs: number): Promise<void> {
  const response = await request(`${origin}/_simulator/knobs`, { method: 'PUT', body: JSON.stringify({ latencyMs }), dispatcher: direct });
  await response.body.dump();
  if (response.statusCode >= 300) throw new Error(`the simulator refused latency ${latencyMs}: ${response.statusCode}`);
}

const totalOf = (snapshot: Record<string, number>): number =>
  Object.entries(snapshot).reduce((sum, [endpoint, count]) => (endpoint.includes('/token') ? sum : sum + count), 0);

const round = (n: number): number => Math.round(n * 100) / 100;

/** Per protocol, the most connections open at the end of any of the turns. */
function mostOpen(turns: ReadonlyArray<{ connectionsOpen?: Record<string, number> }>): Record<string, number> {
  const most: Record<string, number> = {};
  for (const turn of turns) {
    for (const [protocol, count] of Object.entries(turn.connectionsOpen ?? {})) most[protocol] = Math.max(most[protocol] ?? 0, count);
  }
  return most;
}

interface Gateway {
  mode: Mode;
  apiVersion: string | undefined;
  proc: ChildProcess;
  maxConnections: number;
  gql(workload: Workload, worker?: number): Promise<unknown>;
  close(): Promise<void>;
}

async function main(): Promise<void> {
  say(
    `bench: ${quick ? 'QUICK ' : ''}${SESSIONS} sessions, latencies ${LATENCIES.join('/')} ms, ${DURATION_S} s per cell, appliance ${APPLIANCE}`,
  );
  // Over TLS as appliances serve it: a throw-away CA that the gateways and the floor are told to trust.
  const pki = APPLIANCE === 'http' ? undefined : makeTestPki();
  // The CA's key is in there: gone however the run ends.
  if (pki) process.once('exit', () => rmSync(pki.dir, { recursive: true, force: true }));
  const tlsEnv: Record<string, string> = pki
    ? {
        BENCH_TLS_CERT: join(pki.dir, 'server.pem'),
        BENCH_TLS_KEY: join(pki.dir, 'server.key'),
        BENCH_HTTP2: APPLIANCE === 'https-h2' ? '1' : '0',
      }
    : {};
  const connect = pki ? { ca: pki.caPem } : {};
  direct = new Agent({ connect });
  const sim = await child('child-simulator.js', { BENCH_SESSIONS: String(SESSIONS), BENCH_LATENCY_MS: '0', ...tlsEnv });
  const { url: simUrl, origin, credentials } = sim.ready;
  // The gateway as shipped: no connection, page-size or timeout tuning. No rate limit (it would
  // measure the limiter); API keys, so that c=64 is several clients.
  const shipped: Record<string, string> = {
    VEEAM_BASE_URL: simUrl,
    VEEAM_USERNAME: credentials.username,
    VEEAM_PASSWORD: credentials.password,
    LOG_LEVEL: 'info',
    NODE_ENV: 'production',
    AUTH_MODE: 'apikey',
    API_KEYS_FILE: apiKeysFile(),
    RATE_LIMIT_RPS: '0',
    ...(pki ? { VEEAM_CA_FILE: pki.caFile } : {}),
  };
  const startGateway = async (mode: Mode, extra: Record<string, string>, execArgv: string[] = []): Promise<Gateway> => {
    const started = await child('child-gateway.js', { ...shipped, ...extra }, [...GATEWAY_NODE_FLAGS, ...execArgv]);
    const pool = new Pool(started.ready.url, { connections: 64, pipelining: 1 });
    return {
      mode,
      apiVersion: started.ready.apiVersion,
      proc: started.proc,
      maxConnections: started.ready.maxConnections ?? 0,
      async gql(workload, worker = 0) {
        const response = await pool.request({
          method: 'POST',
          path: '/graphql',
          headers: { 'content-type': 'application/json', 'x-api-key': clientKey(worker) },
          body: JSON.stringify({ query: workload.query, variables: workload.variables }),
        });
        const body = (await response.body.json()) as { data?: unknown; errors?: unknown[] };
        if (response.statusCode !== 200 || body.errors)
          throw new Error(`gateway answered ${response.statusCode} ${JSON.stringify(body.errors)}`);
        return body.data;
      },
      async close() {
        await pool.close();
        await stop(started.proc);
      },
    };
  };
  const cold = { CACHE_FINISHED_TTL_MS: '0' };
  const gateways: Gateway[] = [];
  const profile = (mode: Mode): string[] =>
    CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`, `--cpu-prof-name=${mode}.cpuprofile`] : [];
  if (MODES.includes('cold')) gateways.push(await startGateway('cold', cold, profile('cold')));
  if (MODES.includes('warm')) gateways.push(await startGateway('warm', {}, profile('warm')));
  if (MODES.includes('budget'))
    gateways.push(await startGateway('budget', { ...cold, VEEAM_MAX_CONNECTIONS: String(COMPARE_CONNECTIONS) }));

  // The floor: no connection cap, so no call ever waits for a socket. It speaks the gateway's API
  // revision ('auto' negotiates the newest the appliance accepts: the simulator's newest).
  // BENCH_FLOOR_HTTP2=1 (with BENCH_APPLIANCE=https-h2): the floor's calls as streams of one h2 connection.
  const floorH2 = process.env['BENCH_FLOOR_HTTP2'] === '1' ? { allowH2: true, pipelining: 100 } : {};
  const floorAgent = new Agent({ keepAliveTimeout: 30_000, connect, ...floorH2 });
  const configured = gateways[0]?.apiVersion ?? '1.0-rev0';
  const apiVersion = configured === 'auto' ? (DEFAULT_API_VERSIONS[DEFAULT_API_VERSIONS.length - 1] ?? '1.0-rev0') : configured;
  const base = new URL(simUrl);
  const token = await (async () => {
    const response = await request(`${simUrl}/token`, {
      method: 'POST',
      dispatcher: direct,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-api-version': apiVersion },
      body: new URLSearchParams({ grant_type: 'password', ...credentials }).toString(),
    });
    return ((await response.body.json()) as { access_token: string }).access_token;
  })();
  const upstream: Upstream = {
    dispatcher: floorAgent,
    origin,
    basePath: base.pathname,
    headers: { authorization: `Bearer ${token}`, 'x-api-version': apiVersion, accept: 'application/json' },
  };

  // A finished backup session with items for `detail`; the last 30 days for `report`.
  const sessions = (await (
    await request(`${simUrl}/sessions?Offset=0&Limit=200&Sort=startTimeDesc&Types=Policy&Status=Succeeded`, {
      headers: upstream.headers,
      dispatcher: direct,
    })
  ).body.json()) as { results: Array<{ id: string; executionStartTime?: string }> };
  const detailId = sessions.results[5]?.id ?? '';
  const newest = Date.parse(`${sessions.results[0]?.executionStartTime ?? new Date().toISOString().slice(0, 19)}Z`);
  const all = workloads(detailId, new Date(newest - 30 * 86_400_000).toISOString(), new Date(newest).toISOString()).filter((w) =>
    ONLY.includes(w.name),
  );

  // Both sides fetch the same data, with the same number of calls.
  const callsPerQuery: BenchReport['callsPerQuery'] = [];
  for (const workload of all) {
    const floorIds = await workload.floor(upstream);
    await resetCounters(origin);
    await workload.floor(upstream);
    const floorCalls = totalOf(await counters(origin));
    const row: BenchReport['callsPerQuery'][number] = { workload: workload.name, floor: floorCalls, gateway: {} };
    for (const gateway of gateways) {
      const ids = workload.idsOf(await gateway.gql(workload));
      if (JSON.stringify(ids) !== JSON.stringify(floorIds))
        throw new Error(`${workload.name}: the ${gateway.mode} gateway and the floor disagree`);
      await resetCounters(origin);
      await gateway.gql(workload);
      row.gateway[gateway.mode] = totalOf(await counters(origin));
    }
    callsPerQuery.push(row);
  }

  // A contender is the floor or one gateway: one round of it drives the workload for a while and says what it cost.
  interface Round {
    samples: Samples;
    cpuMs: number;
    calls?: number;
    rss?: number;
    maxInflight?: number;
    connectionsOpen?: Record<string, number>;
  }
  interface Contender {
    mode: Mode;
    run(worker: number): Promise<void>;
    round(concurrency: number, seconds: number): Promise<Round>;
    maxConnections?: number;
  }
  const floorContender = (workload: Workload): Contender => {
    const run = async (): Promise<void> => void (await workload.floor(upstream));
    return {
      mode: 'floor',
      run,
      async round(concurrency, seconds) {
        // The floor's own CPU (this process: its calls and their JSON), the least any client of the data spends.
        const before = process.cpuUsage();
        const samples = await sample(run, concurrency, seconds);
        const spent = process.cpuUsage(before);
        return { samples, cpuMs: (spent.user + spent.system) / 1000 };
      },
    };
  };
  const gatewayContender = (gateway: Gateway, workload: Workload): Contender => {
    const run = async (worker: number): Promise<void> => void (await gateway.gql(workload, worker));
    return {
      mode: gateway.mode,
      run,
      maxConnections: gateway.maxConnections,
      async round(concurrency, seconds) {
        const before = await stats(gateway.proc);
        await resetCounters(origin);
        const samples = await sample(run, concurrency, seconds);
        const after = await stats(gateway.proc);
        const calls = totalOf(await counters(origin));
        const cpuMs = (after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / 1000;
        return { samples, cpuMs, calls, rss: after.rss, maxInflight: after.maxInflight, connectionsOpen: after.connectionsOpen };
      },
    };
  };

  const cells: Cell[] = [];
  for (const latencyMs of LATENCIES) {
    await setLatency(origin, latencyMs);
    for (const workload of all) {
      const plan = CELLS[workload.name];
      for (const concurrency of CONCURRENCIES) {
        const contenders = [
          ...(MODES.includes('floor') && plan.floor?.includes(concurrency) ? [floorContender(workload)] : []),
          ...gateways.filter((gateway) => plan[gateway.mode]?.includes(concurrency)).map((gateway) => gatewayContender(gateway, workload)),
        ];
        if (contenders.length === 0) continue;
        // Warmed up once; measured after it, so CPU, calls and latencies are of the measured queries only.
        for (const contender of contenders) await drive((worker) => contender.run(worker), concurrency, WARMUP_S);
        // In ROUNDS short turns, each round in the reverse order of the one before: the machine is
        // shared, and whatever else runs on it then weighs on the floor and the gateways alike.
        const rounds = new Map<Contender, Round[]>(contenders.map((contender) => [contender, []]));
        for (let turn = 0; turn < ROUNDS; turn += 1) {
          const order = turn % 2 === 0 ? contenders : [...contenders].reverse();
          for (const contender of order) rounds.get(contender)?.push(await contender.round(concurrency, DURATION_S / ROUNDS));
        }
        for (const contender of contenders) {
          const taken = rounds.get(contender) ?? [];
          const result = summarise(
            taken.map((turn) => turn.samples),
            concurrency,
            DURATION_S,
          );
          const queries = Math.max(1, result.requests + result.errors);
          const sum = (pick: (turn: Round) => number | undefined): number => taken.reduce((total, turn) => total + (pick(turn) ?? 0), 0);
          const cpuMsPerQuery = round(sum((turn) => turn.cpuMs) / queries);
          const label = `${`${latencyMs} ms`.padEnd(6)} ${workload.name.padEnd(9)} c=${String(concurrency).padEnd(3)} ${contender.mode.padEnd(7)} p50 ${result.p50} ms p99 ${result.p99} ms ${result.throughput}/s | cpu ${cpuMsPerQuery} ms/q`;
          if (contender.mode === 'floor') {
            cells.push({ workload: workload.name, mode: 'floor', latencyMs, concurrency, result, cpuMsPerQuery });
            say(label);
            continue;
          }
          const cell: Cell = {
            workload: workload.name,
            mode: contender.mode,
            latencyMs,
            concurrency,
            result,
            cpuMsPerQuery,
            upstreamCallsPerQuery: round(sum((turn) => turn.calls) / queries),
            rssMb: Math.round(Math.max(...taken.map((turn) => turn.rss ?? 0)) / 1048576),
            maxInflight: Math.max(...taken.map((turn) => turn.maxInflight ?? 0)),
            maxConnections: contender.maxConnections ?? 0,
            connectionsOpen: mostOpen(taken),
          };
          cells.push(cell);
          say(
            `${label} | ${cell.upstreamCallsPerQuery} calls/q | in flight ≤ ${cell.maxInflight} of ${cell.maxConnections} | rss ${cell.rssMb} MB`,
          );
        }
      }
    }
  }

  // With the live cache on (not shipped: CACHE_LIVE_TTL_MS is 0), a repeated dashboard within the
  // TTL is answered from the gateway's memory: what an operator buys with a second of staleness.
  let repeatedDashboardCalls: BenchReport['repeatedDashboardCallsWithCache'];
  let liveCached: BenchReport['liveCached'];
  const dashboard = all.find((w) => w.name === 'dashboard');
  if (dashboard && MODES.includes('warm')) {
    const cached = await startGateway('warm', { CACHE_LIVE_TTL_MS: '60000' });
    await cached.gql(dashboard);
    await resetCounters(origin);
    await cached.gql(dashboard);
    const calls = await counters(origin);
    repeatedDashboardCalls = { total: totalOf(calls), endpoints: calls };
    await cached.close();
    const second = await startGateway('warm', { CACHE_LIVE_TTL_MS: '1000' });
    await setLatency(origin, 10);
    const run = async (worker: number): Promise<void> => void (await second.gql(dashboard, worker));
    await drive(run, 1, WARMUP_S);
    const result = await drive(run, 1, DURATION_S);
    liveCached = { ttlMs: 1000, latencyMs: 10, result };
    say(`10 ms  dashboard c=1   warm, CACHE_LIVE_TTL_MS=1000  p50 ${result.p50} ms p99 ${result.p99} ms`);
    await second.close();
  }

  // The soak: cold dashboards at c=64 and 10 ms for SOAK_S seconds, RSS sampled every second.
  const soakGateway = gateways.find((g) => g.mode === 'cold');
  let soak: BenchReport['soak'];
  if (dashboard && soakGateway && SOAK_S > 0) {
    await setLatency(origin, 10);
    const rssMb: number[] = [];
    const sampler = setInterval(() => {
      void stats(soakGateway.proc).then((s) => rssMb.push(Math.round(s.rss / 1048576)));
    }, 1000);
    const result = await drive(async (worker) => void (await soakGateway.gql(dashboard, worker)), 64, SOAK_S);
    clearInterval(sampler);
    soak = {
      concurrency: 64,
      latencyMs: 10,
      seconds: SOAK_S,
      throughput: result.throughput,
      p99: result.p99,
      errors: result.errors,
      rssMb,
    };
  }

  for (const gateway of gateways) await gateway.close();
  await floorAgent.close();
  await stop(sim.proc);
  await direct.close();
  if (JSON_OUT) {
    writeFileSync(JSON_OUT, JSON.stringify({ appliance: APPLIANCE, callsPerQuery, cells }));
    say(`wrote ${JSON_OUT}`);
    return;
  }

  const report: BenchReport = {
    date: new Date().toISOString(),
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGb: Math.round(totalmem() / 1073741824),
      node: process.version,
    },
    settings: {
      quick,
      sessions: SESSIONS,
      durationS: DURATION_S,
      warmupS: WARMUP_S,
      rounds: ROUNDS,
      soakS: SOAK_S,
      compareConnections: COMPARE_CONNECTIONS,
    },
    shippedConnections: gateways.find((g) => g.mode === 'cold' || g.mode === 'warm')?.maxConnections,
    callsPerQuery,
    cells,
    repeatedDashboardCallsWithCache: repeatedDashboardCalls,
    liveCached,
    soak,
    hostile: hostile(),
    compression: compression(),
    h2: h2(),
  };
  const files = await writeReport(report, join(__dirname, '..', '..', 'bench', 'results'));
  say(`\nwrote ${files.join(', ')}`);
}

/** bench/h2.ts: the gateway over HTTPS, HTTP/1.1 against HTTP/2, against the simulator. */
function h2(): string | undefined {
  if (process.env['BENCH_H2'] === '0') return undefined;
  say('running bench/h2 …');
  const result = spawnSync(process.execPath, [join(__dirname, 'h2.js')], { env: process.env, encoding: 'utf8', timeout: 15 * 60_000 });
  return `${result.stdout}${result.status === 0 ? '' : `\n(exit ${result.status}) ${result.stderr}`}`.trim();
}

/** bench/compression.ts: bytes saved against CPU spent by br and gzip on real answers. */
function compression(): string | undefined {
  if (process.env['BENCH_COMPRESSION'] === '0') return undefined;
  say('running bench/compression …');
  const result = spawnSync(process.execPath, [join(__dirname, 'compression.js')], {
    env: process.env,
    encoding: 'utf8',
    timeout: 5 * 60_000,
  });
  return `${result.stdout}${result.status === 0 ? '' : `\n(exit ${result.status}) ${result.stderr}`}`.trim();
}

/** bench/hostile.ts (the hostile-load benchmark) when it exists: run it, keep what it printed. */
function hostile(): string | undefined {
  const script = join(__dirname, 'hostile.js');
  if (!existsSync(script) || process.env['BENCH_HOSTILE'] === '0') return undefined;
  say('running bench/hostile …');
  const result = spawnSync(process.execPath, [script], { env: process.env, encoding: 'utf8', timeout: 15 * 60_000 });
  return `${result.stdout}${result.status === 0 ? '' : `\n(exit ${result.status}) ${result.stderr}`}`.trim();
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
