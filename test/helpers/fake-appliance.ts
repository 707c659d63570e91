/**
 * A tiny appliance of the test's own making, for answers the simulator does not give: a session
 * record of a later revision (an unknown job-info link), a session with hundreds of items, a body
 * with an integer past 2^53. It logs in anyone, serves the sessions and items it is given (items
 * sorted by the `Sort` keys it understands, then paged) and records every data call's query string.
 * Bodies are text, so a test can send JSON that JavaScript could not produce.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { loadConfig, type Config, type UpstreamConfig } from '../../src/config/config';
import { startGateway, type Gateway } from '../../src/http/gateway';
import type { ProtectedItemDto } from '../../src/upstream/dto';
import { TEST_API_VERSION } from './upstream';

export interface FakeSession {
  /** The session record, as text or as a value to serialise. */
  record: string | Record<string, unknown>;
  items?: readonly ProtectedItemDto[];
}

export interface FakeAppliance {
  readonly url: string;
  /** `GET <path>?<query>` of every data call, in arrival order. */
  readonly calls: Array<{ path: string; query: string }>;
  close(): Promise<void>;
}

const BASE = '/api/v1';

const ITEM_KEYS: Record<string, (item: ProtectedItemDto) => string> = {
  virtualMachineName: (item) => item.name,
  region: (item) => item.region ?? '',
};

function sortItems(items: readonly ProtectedItemDto[], sort: readonly string[]): ProtectedItemDto[] {
  const keys = sort.map((column) => {
    const match = /^(.*)(Asc|Desc)$/.exec(column);
    const key = match?.[1] !== undefined ? ITEM_KEYS[match[1]] : undefined;
    if (!match || !key) throw new Error(`the fake appliance cannot sort by ${column}`);
    return { key, sign: match[2] === 'Desc' ? -1 : 1 };
  });
  return [...items].sort((a, b) => {
    for (const { key, sign } of keys) {
      const order = key(a).localeCompare(key(b), 'en');
      if (order !== 0) return order * sign;
    }
    return 0;
  });
}

export async function startFakeAppliance(sessions: Record<string, FakeSession>): Promise<FakeAppliance> {
  const calls: Array<{ path: string; query: string }> = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const send = (status: number, body: string): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    };
    const notFound = (): void =>
      send(
        404,
        JSON.stringify({ type: 'resourceNotFound', title: 'Not Found', status: 404, errorCode: 'NotFound', details: 'No such thing.' }),
      );
    req.resume();
    req.on('end', () => {
      if (req.method === 'POST' && url.pathname === `${BASE}/token`) {
        return send(
          200,
          JSON.stringify({ access_token: 'fake-access', token_type: 'bearer', refresh_token: 'fake-refresh', expires_in: 3600 }),
        );
      }
      if (req.method === 'DELETE' && url.pathname === `${BASE}/token`) return res.writeHead(204).end();
      calls.push({ path: url.pathname, query: url.search.replace(/^\?/, '') });
      const text = (record: FakeSession['record']): string => (typeof record === 'string' ? record : JSON.stringify(record));
      if (url.pathname === `${BASE}/sessions`) {
        const all = Object.values(sessions);
        return send(200, `{"totalCount":${all.length},"results":[${all.map((s) => text(s.record)).join(',')}]}`);
      }
      const match = /^\/api\/v1\/sessions\/([^/]+)(\/protectedItems)?$/.exec(url.pathname);
      const session = match?.[1] !== undefined ? sessions[match[1]] : undefined;
      if (!match || !session) return notFound();
      if (!match[2]) return send(200, text(session.record));
      if (!session.items) return notFound();
      const sorted = sortItems(session.items, url.searchParams.getAll('Sort'));
      const offset = Number(url.searchParams.get('Offset') ?? 0);
      const limit = Number(url.searchParams.get('Limit') ?? sorted.length);
      return send(200, JSON.stringify({ totalCount: sorted.length, results: sorted.slice(offset, offset + limit) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${BASE}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The real gateway in front of a fake appliance; `env` as in the environment (e.g. VEEAM_PAGE_SIZE). */
export async function gatewayFor(fake: FakeAppliance, logger: Logger, env: Record<string, string> = {}): Promise<Gateway> {
  const config: Config = { ...loadConfig({ LOG_LEVEL: 'info', RATE_LIMIT_RPS: '0', ...env }), port: 0, host: '127.0.0.1' };
  const upstream: UpstreamConfig = {
    ...config.tuning,
    apiVersion: TEST_API_VERSION,
    baseUrl: fake.url,
    username: 'gateway',
    password: 'not-a-secret',
    caFile: undefined,
    ca: undefined,
    tlsInsecure: false,
    connectTimeoutMs: 2_000,
    headersTimeoutMs: 10_000,
    bodyTimeoutMs: 10_000,
  };
  return startGateway({ config, upstream, logger });
}
