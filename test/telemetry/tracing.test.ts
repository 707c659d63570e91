/**
 * Tracing with the standard SDK and an in-memory exporter: a dashboard query is one trace continuing
 * the caller's `traceparent`, with the GraphQL phases and DataLoader batches under the request span and
 * one HTTP span per upstream call beneath it; the appliance receives a `traceparent` naming that call's
 * span; log lines carry the trace id. A recording proxy in front of the simulator sees the headers
 * as the appliance would (node:http, which the undici instrumentation does not trace).
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { loadConfig } from '../../src/config/config';
import { startGateway, type Gateway } from '../../src/http/gateway';
import { DEFAULT_TABS } from '../../src/http/playground/tabs';
import { startSimulator, type Simulator } from '../../src/simulator';
import { startTracing, type Tracing } from '../../src/telemetry/tracing';
import { captureLogs, upstreamConfigFor, type CapturedLogs } from '../helpers/upstream';

const CALLER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';

let tracing: Tracing;
let exporter: InMemorySpanExporter;
let sim: Simulator;
let proxy: Server;
let seen: Array<{ path: string; traceparent: string | undefined }>;
let gateway: Gateway;
let logs: CapturedLogs;

/** Forwards to the simulator, recording each request's path and traceparent. */
async function startRecordingProxy(target: URL): Promise<Server> {
  const server = createServer((req, res) => {
    const traceparent = req.headers.traceparent;
    seen.push({ path: req.url ?? '', traceparent: typeof traceparent === 'string' ? traceparent : undefined });
    const forward = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

beforeAll(async () => {
  exporter = new InMemorySpanExporter();
  tracing = startTracing({ serviceName: 'gateway-under-test', spanProcessors: [new SimpleSpanProcessor(exporter)] });
  seen = [];
  sim = await startSimulator({ sessionCount: 30, anchor: new Date('2026-11-01T00:00:00Z') });
  proxy = await startRecordingProxy(new URL(sim.url));
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/api/v1`;
  logs = captureLogs('info');
  gateway = await startGateway({
    config: { ...loadConfig({ RATE_LIMIT_RPS: '0' }), port: 0, host: '127.0.0.1' },
    upstream: upstreamConfigFor(sim, { baseUrl: proxyUrl }),
    logger: logs.logger,
    telemetry: { tracing: true },
  });
});

afterAll(async () => {
  await gateway?.close();
  await new Promise((resolve) => proxy?.close(resolve));
  await sim?.close();
  await tracing?.shutdown();
});

/** A POST with node:http: the test's own call is not traced, so the caller's traceparent is the only one. */
function post(body: string, headers: IncomingHttpHeaders): Promise<number> {
  const url = new URL(`${gateway.url}/graphql`);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The server span ends when the response closes, just after the client has read it. */
async function serverSpan(): Promise<ReadableSpan> {
  for (let attempt = 0; attempt < 1_000; attempt += 1) {
    const found = exporter.getFinishedSpans().find((span) => span.kind === SpanKind.SERVER);
    if (found) return found;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('no server span');
}

const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;

function descendsFrom(span: ReadableSpan, ancestor: ReadableSpan, spans: readonly ReadableSpan[]): boolean {
  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
  for (let current: ReadableSpan | undefined = span; current; current = byId.get(parentOf(current) ?? '')) {
    if (parentOf(current) === ancestor.spanContext().spanId) return true;
  }
  return false;
}

it('traces a dashboard query as one trace, one upstream span per call, traceparent to the appliance', async () => {
  const dashboard = DEFAULT_TABS.find((tab) => tab.name === 'Dashboard');
  if (!dashboard) throw new Error('no Dashboard tab');
  const status = await post(JSON.stringify({ query: dashboard.query }), {
    'content-type': 'application/json',
    'x-request-id': 'req-traced',
    traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`,
  });
  expect(status).toBe(200);
  const root = await serverSpan();
  const spans = exporter.getFinishedSpans();

  // One trace: the caller's, continued.
  expect(new Set(spans.map((span) => span.spanContext().traceId))).toEqual(new Set([CALLER_TRACE]));
  expect(parentOf(root)).toBe(CALLER_SPAN);
  expect(root.name).toBe('POST /graphql');
  expect(root.attributes).toMatchObject({ 'http.response.status_code': 200, 'graphql.operation.name': 'Dashboard' });

  // The GraphQL phases and the DataLoader batches hang under the request span.
  const names = spans.map((span) => span.name);
  for (const phase of ['graphql.parse', 'graphql.validate', 'graphql.execute']) {
    expect(spans.filter((span) => span.name === phase).map(parentOf)).toEqual([root.spanContext().spanId]);
  }
  const batches = spans.filter((span) => span.name.startsWith('dataloader.batch '));
  expect(batches.length).toBeGreaterThanOrEqual(1);
  expect(names).toContain('dataloader.batch protectedItems');

  // One client span per upstream call, each under the request span, each announced to the appliance.
  const upstream = spans.filter((span) => span.kind === SpanKind.CLIENT);
  expect(seen.length).toBeGreaterThan(1); // the session list and the items of each session (and the login)
  expect(upstream).toHaveLength(seen.length);
  for (const span of upstream) expect(descendsFrom(span, root, spans)).toBe(true);
  const announced = seen.map((call) => call.traceparent?.split('-')[2]);
  expect(announced.sort()).toEqual(upstream.map((span) => span.spanContext().spanId).sort());
  for (const call of seen) expect(call.traceparent).toMatch(new RegExp(`^00-${CALLER_TRACE}-[0-9a-f]{16}-01$`));
  expect(upstream.every((span) => typeof span.attributes['http.response.status_code'] === 'number')).toBe(true);

  // The request's log line names the trace.
  const line = logs.lines().find((entry) => entry['requestId'] === 'req-traced');
  expect(line).toMatchObject({ trace_id: CALLER_TRACE, span_id: root.spanContext().spanId, status: 200 });
});
