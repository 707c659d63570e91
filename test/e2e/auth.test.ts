/**
 * Who may ask, end to end: each AUTH_MODE in front of the real gateway, a local JWKS served by the
 * test, 401 before any upstream call, the client's identity in the logs, and the rate limit.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { request } from 'undici';
import { sha256Hex } from '../../src/http/auth/index';
import { startStack, type Stack } from '../helpers/stack';

const QUERY = JSON.stringify({ query: '{ sessions(page: {limit: 1}) { totalCount } }' });

async function post(stack: Stack, headers: Record<string, string>) {
  const response = await request(`${stack.gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: QUERY,
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text, body: JSON.parse(text) as Record<string, unknown> };
}

describe('AUTH_MODE=apikey', () => {
  let stack: Stack;
  const dashboardKey = 'dash-9b1f3c7e-very-secret-key';

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-keys-'));
    const file = join(dir, 'api-keys');
    writeFileSync(
      file,
      `# client name, then the SHA-256 of its key\ndashboards ${sha256Hex(dashboardKey)}\n\nreports ${sha256Hex('another-key')}\n`,
    );
    stack = await startStack({ env: { AUTH_MODE: 'apikey', API_KEYS_FILE: file } });
  });

  afterAll(async () => {
    await stack.close();
  });

  beforeEach(() => stack.sim.counters.reset());

  it('admits a listed key and logs the client by name, never the key', async () => {
    const response = await post(stack, { 'x-api-key': dashboardKey, 'x-request-id': 'auth-ok' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ data: { sessions: { totalCount: 500 } } });
    const line = stack.logs.lines().find((l) => l['requestId'] === 'auth-ok');
    expect(line).toMatchObject({ client: 'dashboards' });
    expect(stack.logs.text()).not.toContain(dashboardKey);
  });

  it.each([
    [{}, 'Missing API key (send it in the x-api-key header)'],
    [{ 'x-api-key': 'wrong' }, 'Invalid API key'],
    [{ 'x-api-key': sha256Hex(dashboardKey) }, 'Invalid API key'], // the file's hash is not a key
  ])('refuses %j with 401 before any upstream call', async (headers, message) => {
    const response = await post(stack, headers as Record<string, string>);
    expect(response.status).toBe(401);
    for (const value of Object.values(headers)) expect(response.text).not.toContain(value);
    expect(response.body).toEqual({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] });
    expect(stack.sim.counters.total()).toBe(0);
  });

  it('keeps health endpoints open', async () => {
    const health = await request(`${stack.gateway.url}/healthz`);
    expect(health.statusCode).toBe(200);
    await health.body.dump();
  });
});

describe('AUTH_MODE=jwt with a local JWKS', () => {
  let stack: Stack;
  let jwks: Server;
  let jwksUrl: string;
  let signingKey: KeyLike;
  let otherKey: KeyLike;
  const keys: Array<Record<string, unknown>> = [];

  const token = (claims: Record<string, unknown>, key: KeyLike = signingKey, kid = 'k1', expiresIn = '5m') =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer('https://issuer.test')
      .setAudience('veeam-gateway')
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(key);

  beforeAll(async () => {
    const first = await generateKeyPair('RS256');
    signingKey = first.privateKey;
    keys.push({ ...(await exportJWK(first.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' });
    otherKey = (await generateKeyPair('RS256')).privateKey;
    jwks = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
    stack = await startStack({
      env: { AUTH_MODE: 'jwt', JWT_ISSUER: 'https://issuer.test', JWT_AUDIENCE: 'veeam-gateway', JWT_JWKS_URL: jwksUrl },
    });
  });

  afterAll(async () => {
    await stack.close();
    await new Promise<void>((resolve) => jwks.close(() => resolve()));
  });

  it('admits a valid token and names the client by its subject', async () => {
    const response = await post(stack, { authorization: `Bearer ${await token({ sub: 'grafana' })}`, 'x-request-id': 'jwt-ok' });
    expect(response.status).toBe(200);
    expect(stack.logs.lines().find((l) => l['requestId'] === 'jwt-ok')).toMatchObject({ client: 'grafana' });
  });

  it('refuses bad tokens with a reason and a WWW-Authenticate challenge', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{}, 'Missing bearer token (send Authorization: Bearer <JWT>)'],
      [{ authorization: 'Basic Zm9vOmJhcg==' }, 'Invalid token: not a bearer JWT'],
      [{ authorization: `Bearer ${await token({ sub: 'x' }, signingKey, 'k1', '-1m')}` }, 'Invalid token: expired'],
      [{ authorization: `Bearer ${await token({ sub: 'x' }, otherKey)}` }, 'Invalid token: bad signature'],
      [
        {
          authorization: `Bearer ${await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer('https://evil.test').setAudience('veeam-gateway').setExpirationTime('5m').sign(signingKey)}`,
        },
        'Invalid token: claim "iss" is not accepted',
      ],
      [
        {
          authorization: `Bearer ${await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer('https://issuer.test').setAudience('someone-else').setExpirationTime('5m').sign(signingKey)}`,
        },
        'Invalid token: claim "aud" is not accepted',
      ],
      [
        {
          authorization: `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x","iss":"https://issuer.test","aud":"veeam-gateway"}').toString('base64url')}.`,
        },
        'Invalid token: algorithm not allowed',
      ],
    ];
    stack.sim.counters.reset();
    for (const [headers, message] of cases) {
      const response = await post(stack, headers);
      expect({ status: response.status, message: (response.body['errors'] as Array<{ message: string }>)[0]?.message }).toEqual({
        status: 401,
        message,
      });
      expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="veeam-graphql-gateway"/);
    }
    expect(stack.sim.counters.total()).toBe(0);
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After once a client spends its burst', async () => {
    const stack = await startStack({ env: { RATE_LIMIT_RPS: '1', RATE_LIMIT_BURST: '3' } });
    try {
      const statuses: number[] = [];
      let retryAfter: string | string[] | undefined;
      for (let i = 0; i < 5; i += 1) {
        const response = await post(stack, {});
        statuses.push(response.status);
        if (response.status === 429) {
          retryAfter = response.headers['retry-after'];
          expect(response.body).toMatchObject({ errors: [{ extensions: { code: 'RATE_LIMITED' } }] });
        }
      }
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
      expect(statuses.slice(3)).toContain(429);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    } finally {
      await stack.close();
    }
  });
});
