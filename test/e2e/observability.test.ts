/**
 * Logs and metrics after known traffic: one log line per GraphQL and export request with its request
 * id, HTTP status, client and client application; Prometheus counters that match what the simulator
 * saw, under one prefix; refusals counted by reason; and label sets that client-chosen names cannot grow.
 */
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { loadConfig, type Config } from '../../src/config/config';
import { startGateway, type Gateway } from '../../src/http/gateway';
import { startSimulator, type Simulator } from '../../src/simulator';
import { captureLogs, upstreamConfigFor, type CapturedLogs } from '../helpers/upstream';

let sim: Simulator;
let gateway: Gateway;
let logs: CapturedLogs;

beforeAll(async () => {
  sim = await startSimulator({ sessionCount: 200, anchor: new Date('2026-11-01T00:00:00Z') });
  logs = captureLogs('info');
  const config: Config = {
    ...loadConfig({ RATE_LIMIT_RPS: '0', METRICS_OPERATION_NAMES: 'MetricsProbe,DashboardProbe', METRICS_CLIENT_NAMES: 'ops-dashboard' }),
    port: 0,
    host: '127.0.0.1',
  };
  gateway = await startGateway({
    config,
    upstream: upstreamConfigFor(sim),
    logger: logs.logger,
    telemetry: { metrics: { ...config.metrics, version: '9.9.9-test' } },
  });
});

afterAll(async () => {
  await gateway.close();
  await sim.close();
});

async function post(body: string, headers: Record<string, string> = {}) {
  const response = await request(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text };
}

const query = (document: string, headers: Record<string, string> = {}) => post(JSON.stringify({ query: document }), headers);

async function metricsText(): Promise<string> {
  const response = await request(`${gateway.url}/metrics`);
  expect(response.statusCode).toBe(200);
  return response.body.text();
}

function metricValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/** Series of one metric family: one line per label combination. */
function seriesCount(text: string, family: string): number {
  return text.split('\n').filter((line) => line.startsWith(`${family}{`) || line.startsWith(`${family} `)).length;
}

/** The request's log line is written when its response closes, which may be just after the client has read it. */
async function logLine(requestId: string): Promise<Record<string, unknown>> {
  for (let attempt = 0; attempt < 1_000; attempt += 1) {
    const lines = logs.lines().filter((line) => line['requestId'] === requestId && /request$/.test(String(line['msg'])));
    if (lines.length > 1) throw new Error(`${lines.length} log lines for ${requestId}`);
    if (lines[0]) return lines[0];
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`no log line for ${requestId}`);
}

describe('request logs', () => {
  it('logs one line with status, client, client application and upstream calls', async () => {
    const { headers } = await query('query DashboardProbe { sessions(page: {limit: 3}) { items { id log { message } } } }', {
      'x-request-id': 'req-12345',
      'apollographql-client-name': 'ops-dashboard',
      'apollographql-client-version': '4.2.0',
    });
    expect(headers['x-request-id']).toBe('req-12345');
    const line = await logLine('req-12345');
    expect(line).toMatchObject({
      msg: 'graphql request',
      status: 200,
      operation: 'DashboardProbe',
      client: 'anonymous',
      clientName: 'ops-dashboard',
      clientVersion: '4.2.0',
      outcome: 'success',
      upstreamCalls: 4, // the list and three logs (the login is the gateway's, not this request's)
    });
    expect(typeof line['durationMs']).toBe('number');
  });

  it("carries the caller's trace id even with tracing off", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await query('{ __typename }', { 'x-request-id': 'req-traced', traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    expect(await logLine('req-traced')).toMatchObject({ trace_id: traceId, status: 200 });
  });

  it('makes a request id when none (or a malformed one) is given', async () => {
    const { headers } = await query('{ sessions(page: {limit: 1}) { totalCount } }', { 'x-request-id': 'bad id\twith spaces' });
    expect(headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs the outcome and error codes of failed requests', async () => {
    await query('query Broken { session(id: "nope") { id } }', { 'x-request-id': 'req-broken' });
    expect(await logLine('req-broken')).toMatchObject({
      outcome: 'error',
      errorCodes: ['BAD_USER_INPUT'],
      upstreamCalls: 0,
      refused: 'bad_input',
    });
  });

  it('logs exports like queries: request id, status, client; refused ones too', async () => {
    const ok = await request(`${gateway.url}/export/sessions.ndjson?limit=5`, {
      headers: { 'x-request-id': 'req-export', 'apollographql-client-name': 'ops-dashboard' },
    });
    await ok.body.text();
    expect(await logLine('req-export')).toMatchObject({
      msg: 'export request',
      path: '/export/sessions.ndjson',
      status: 200,
      client: 'anonymous',
      clientName: 'ops-dashboard',
    });
    const bad = await request(`${gateway.url}/export/sessions.csv?status=NOPE`, { headers: { 'x-request-id': 'req-export-bad' } });
    await bad.body.text();
    expect(bad.statusCode).toBe(400);
    expect(await logLine('req-export-bad')).toMatchObject({ msg: 'export request', status: 400, refused: 'bad_input' });
  });
});

describe('/metrics', () => {
  it('counts GraphQL requests, upstream calls, token grants and loader batches under one prefix', async () => {
    sim.counters.reset();
    const before = await metricsText();
    const sessionsBefore = metricValue(before, 'veeam_gateway_upstream_calls_total{endpoint="GET /sessions",status="200"}');
    for (let i = 0; i < 3; i += 1) {
      await query('query MetricsProbe { sessions(page: {limit: 5}) { items { id log { message } } } }');
    }
    const text = await metricsText();
    expect(metricValue(text, 'veeam_gateway_graphql_requests_total{operation="MetricsProbe",client="none",outcome="success"}')).toBe(3);
    expect(metricValue(text, 'veeam_gateway_upstream_calls_total{endpoint="GET /sessions",status="200"}') - sessionsBefore).toBe(
      sim.counters.get('GET /sessions'),
    );
    expect(metricValue(text, 'veeam_gateway_upstream_token_grants_total{grant="password",outcome="success"}')).toBe(1);
    expect(metricValue(text, 'veeam_gateway_dataloader_batch_size_count{loader="sessionLog"}')).toBeGreaterThanOrEqual(3);
    expect(metricValue(text, 'veeam_gateway_dataloader_batch_size_sum{loader="sessionLog"}')).toBeGreaterThanOrEqual(15);
    expect(metricValue(text, 'veeam_gateway_graphql_request_duration_seconds_count{operation="MetricsProbe"}')).toBe(3);
    expect(text).toContain('veeam_gateway_upstream_calls_in_flight 0');
    expect(text).toContain('veeam_gateway_process_resident_memory_bytes');
    const unprefixed = text.split('\n').filter((line) => line !== '' && !/^(# (HELP|TYPE) )?veeam_gateway_/.test(line));
    expect(unprefixed).toEqual([]);
  });

  it('says which version runs on which Node.js', async () => {
    expect(metricValue(await metricsText(), `veeam_gateway_build_info{version="9.9.9-test",node_version="${process.version}"}`)).toBe(1);
  });

  it('counts refusals by reason', async () => {
    const refusals = async () => {
      const text = await metricsText();
      const value = (reason: string) => metricValue(text, `veeam_gateway_refusals_total{route="graphql",reason="${reason}"}`);
      return {
        csrf: value('csrf'),
        tooLarge: value('payload_too_large'),
        badInput: value('bad_input'),
        aliases: value('too_many_aliases'),
      };
    };
    const before = await refusals();
    expect((await post('{ sessions { totalCount } }', { 'content-type': 'text/plain' })).status).toBe(400);
    expect((await post(JSON.stringify({ query: `{ __typename } #${'x'.repeat(1024 * 1024)}` }))).status).toBe(413);
    expect((await query('{ sessions(page: {limit: 1}) { nope } }')).status).toBe(400);
    const aliases = Array.from({ length: 200 }, (_, index) => `a${index}: __typename`).join(' ');
    expect((await query(`{ ${aliases} }`)).status).toBe(400);
    const after = await refusals();
    expect({
      csrf: after.csrf - before.csrf,
      tooLarge: after.tooLarge - before.tooLarge,
      badInput: after.badInput - before.badInput,
      aliases: after.aliases - before.aliases,
    }).toEqual({ csrf: 1, tooLarge: 1, badInput: 1, aliases: 1 });
  });

  it('keeps its series when 1,000 invented operation and client names arrive', async () => {
    const send = (count: number) =>
      Promise.all(
        Array.from({ length: count }, () => {
          const name = `Op_${randomUUID().replaceAll('-', '')}`;
          return query(`query ${name} { __typename }`, { 'apollographql-client-name': `client-${randomUUID()}` });
        }),
      );
    await send(5); // the `other` series exist from here on
    const families = ['veeam_gateway_graphql_requests_total', 'veeam_gateway_graphql_request_duration_seconds_bucket'];
    const before = await metricsText();
    for (let batch = 0; batch < 10; batch += 1) await send(100);
    const after = await metricsText();
    for (const family of families) expect(seriesCount(after, family)).toBe(seriesCount(before, family));
    expect(
      metricValue(after, 'veeam_gateway_graphql_requests_total{operation="other",client="other",outcome="success"}'),
    ).toBeGreaterThanOrEqual(1_005);
    expect(gateway.metrics.operationLabel('Dashboard')).toBe('Dashboard'); // the playground's own operations are known
    expect(gateway.metrics.operationLabel(undefined)).toBe('anonymous');
  });

  it('counts cache results', async () => {
    const backup = sim.data.sessions.find(
      (s) => s._embedded?.backupJobInfo !== undefined && s.status !== 'Running' && (sim.data.protectedItems(s.id)?.length ?? 0) > 0,
    );
    if (!backup) throw new Error('no finished backup session');
    const document = `{ session(id: "${backup.id}") { protectedItems { totalCount } } }`;
    const series = 'veeam_gateway_upstream_cache_lookups_total{cache="GET /sessions/{id}/protectedItems",result="hit"}';
    const before = metricValue(await metricsText(), series);
    await query(document);
    await query(document);
    expect(metricValue(await metricsText(), series) - before).toBe(1);
  });
});
