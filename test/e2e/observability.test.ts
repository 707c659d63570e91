/**
 * Logs and metrics after known traffic: one log line per GraphQL request with its request id and
 * upstream call count, and Prometheus counters that match what the simulator saw.
 */
import { request } from 'undici';
import { startStack, type Stack } from '../helpers/stack';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack.close();
});

async function post(query: string, headers: Record<string, string> = {}) {
  const response = await request(`${stack.gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return { headers: response.headers, body: (await response.body.json()) as Record<string, unknown> };
}

async function metricsText(): Promise<string> {
  const response = await request(`${stack.gateway.url}/metrics`);
  expect(response.statusCode).toBe(200);
  return response.body.text();
}

function metricValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe('request logs', () => {
  it('echoes a given x-request-id and logs one line for the request', async () => {
    const { headers } = await post('query DashboardProbe { sessions(page: {limit: 3}) { items { id log { message } } } }', {
      'x-request-id': 'req-12345',
    });
    expect(headers['x-request-id']).toBe('req-12345');
    const lines = stack.logs.lines().filter((line) => line['requestId'] === 'req-12345');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: 'graphql request',
      operation: 'DashboardProbe',
      client: 'anonymous',
      outcome: 'success',
      upstreamCalls: 4, // the list and three logs (the login is the gateway's, not this request's)
    });
    expect(typeof lines[0]?.['durationMs']).toBe('number');
  });

  it('makes a request id when none (or a malformed one) is given', async () => {
    const { headers } = await post('{ sessions(page: {limit: 1}) { totalCount } }', { 'x-request-id': 'bad id\twith spaces' });
    expect(headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs the outcome and error codes of failed requests', async () => {
    await post('query Broken { session(id: "nope") { id } }', { 'x-request-id': 'req-broken' });
    const line = stack.logs.lines().find((l) => l['requestId'] === 'req-broken');
    expect(line).toMatchObject({ outcome: 'error', errorCodes: ['BAD_USER_INPUT'], upstreamCalls: 0 });
  });
});

describe('/metrics', () => {
  it('counts GraphQL requests, upstream calls, token grants and loader batches', async () => {
    stack.sim.counters.reset();
    const before = await metricsText();
    const sessionsBefore = metricValue(before, 'upstream_calls_total{endpoint="GET /sessions",status="200"}');
    for (let i = 0; i < 3; i += 1) {
      await post('query MetricsProbe { sessions(page: {limit: 5}) { items { id log { message } } } }');
    }
    const text = await metricsText();
    expect(metricValue(text, 'graphql_requests_total{operation="MetricsProbe",outcome="success"}')).toBe(3);
    expect(metricValue(text, 'upstream_calls_total{endpoint="GET /sessions",status="200"}') - sessionsBefore).toBe(
      stack.sim.counters.get('GET /sessions'),
    );
    expect(metricValue(text, 'upstream_token_grants_total{grant="password",outcome="success"}')).toBe(1);
    expect(metricValue(text, 'dataloader_batch_size_count{loader="sessionLog"}')).toBeGreaterThanOrEqual(3);
    expect(metricValue(text, 'dataloader_batch_size_sum{loader="sessionLog"}')).toBeGreaterThanOrEqual(15);
    expect(metricValue(text, 'graphql_request_duration_seconds_count{operation="MetricsProbe"}')).toBe(3);
    expect(text).toContain('upstream_calls_in_flight 0');
    expect(text).toContain('process_resident_memory_bytes');
  });

  it('bounds the operation label: malformed names are "other"', async () => {
    await post('query Weird { sessions(page: {limit: 1}) { totalCount } }');
    expect(stack.gateway.metrics.operationLabel('a'.repeat(100))).toBe('other');
    expect(stack.gateway.metrics.operationLabel(undefined)).toBe('anonymous');
  });

  it('counts cache results', async () => {
    const backup = stack.sim.data.sessions.find(
      (s) => s._embedded?.backupJobInfo !== undefined && s.status !== 'Running' && (stack.sim.data.protectedItems(s.id)?.length ?? 0) > 0,
    );
    if (!backup) throw new Error('no finished backup session');
    const query = `{ session(id: "${backup.id}") { protectedItems { totalCount } } }`;
    const before = metricValue(await metricsText(), 'upstream_cache_lookups_total{cache="GET /sessions/{id}/protectedItems",result="hit"}');
    await post(query);
    await post(query);
    const after = metricValue(await metricsText(), 'upstream_cache_lookups_total{cache="GET /sessions/{id}/protectedItems",result="hit"}');
    expect(after - before).toBe(1);
  });
});
