/**
 * The simulator's token endpoint and bearer checks, as the spec describes the appliance's.
 */
import { request } from 'undici';
import { startSimulator, type Simulator } from '../../src/simulator';
import { get, login, raw } from '../helpers/sim-client';

let sim: Simulator;

beforeEach(async () => {
  sim = await startSimulator({ sessionCount: 20, mfaUsers: { mfa: 'mfa-pass' } });
});

afterEach(async () => {
  await sim.close();
});

const form = (fields: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

describe('POST /token', () => {
  it('grants a password login with the RESTLogin shape', async () => {
    const response = await raw<Record<string, unknown>>(sim, 'POST', '/api/v1/token', form({ grant_type: 'password', ...sim.credentials }));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      token_type: 'bearer',
      expires_in: 3600,
      username: 'demo',
      roleName: 'Portal Administrator',
      mfa_enabled: false,
    });
    expect(response.body['access_token']).toEqual(expect.any(String));
    // RESTLogin's times are `format: date-time` (RFC 3339), not OWIN's RFC 1123.
    for (const key of ['.issued', '.expires']) expect(response.body[key]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('rejects bad credentials with a problem that does not echo the password', async () => {
    const response = await raw<Record<string, unknown>>(
      sim,
      'POST',
      '/api/v1/token',
      form({ grant_type: 'password', username: 'demo', password: 'Guess-123' }),
    );
    expect(response.status).toBe(401);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 401, errorCode: 'AccessDenied', details: 'Invalid user name or password.' });
    expect(JSON.stringify(response.body)).not.toContain('Guess-123');
  });

  it('answers an MFA account with an mfa_token and no tokens', async () => {
    const response = await raw<Record<string, unknown>>(
      sim,
      'POST',
      '/api/v1/token',
      form({ grant_type: 'password', username: 'mfa', password: 'mfa-pass' }),
    );
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ mfa_enabled: true, mfa_token: expect.any(String) });
    expect(response.body['access_token']).toBeUndefined();
  });

  it('rotates refresh tokens: each works once', async () => {
    const { refresh } = await login(sim);
    const first = await raw<{ access_token: string }>(
      sim,
      'POST',
      '/api/v1/token',
      form({ grant_type: 'refresh_token', refresh_token: refresh }),
    );
    expect(first.status).toBe(200);
    expect((await get(sim, first.body.access_token, '/api/v1/sessions?Limit=1')).status).toBe(200);
    const again = await raw(sim, 'POST', '/api/v1/token', form({ grant_type: 'refresh_token', refresh_token: refresh }));
    expect(again.status).toBe(401);
    expect(again.body).toMatchObject({ errorCode: 'InvalidToken' });
  });

  it('refuses JSON bodies and unknown grants', async () => {
    const json = await raw(sim, 'POST', '/api/v1/token', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'password', ...sim.credentials }),
    });
    expect(json.status).toBe(400);
    const unknown = await raw(sim, 'POST', '/api/v1/token', form({ grant_type: 'client_credentials' }));
    expect(unknown.status).toBe(400);
  });

  it('logs out with DELETE: 204, then the token is refused', async () => {
    const { access } = await login(sim);
    const logout = await raw(sim, 'DELETE', '/api/v1/token', { headers: { authorization: `Bearer ${access}` } });
    expect(logout.status).toBe(204);
    expect(sim.activeAccessTokens()).toBe(0);
    expect((await get(sim, access, '/api/v1/sessions')).body).toMatchObject({ status: 401, errorCode: 'InvalidToken' });
  });
});

describe('POST /token: lifetimes, rotation and revocation', () => {
  const password = () => form({ grant_type: 'password', ...sim.credentials });

  it('issues 32-byte base64url tokens, lists them as issued, and honours the configured lifetimes', async () => {
    const custom = await startSimulator({ sessionCount: 1, accessTokenTtlSeconds: 120, username: 'svc', password: 's3cret-pass' });
    try {
      const response = await raw<Record<string, string | number>>(
        custom,
        'POST',
        '/api/v1/token',
        form({ grant_type: 'password', username: 'svc', password: 's3cret-pass' }),
      );
      expect(response.body).toMatchObject({ expires_in: 120, username: 'svc' });
      const issued = Date.parse(String(response.body['.issued']));
      const expires = Date.parse(String(response.body['.expires']));
      expect(expires - issued).toBe(120_000);
      for (const key of ['access_token', 'refresh_token']) expect(response.body[key]).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(custom.issuedTokens()).toEqual([response.body['access_token'], response.body['refresh_token']]);
      expect(custom.activeAccessTokens()).toBe(1);
      expect(custom.credentials).toEqual({ username: 'svc', password: 's3cret-pass' });
    } finally {
      await custom.close();
    }
  });

  it("writes .issued and .expires as the spec's date-times (RFC 3339, UTC), expires_in apart, on login and on refresh", async () => {
    const before = Date.now();
    const first = await raw<Record<string, unknown>>(sim, 'POST', '/api/v1/token', password());
    const second = await raw<Record<string, unknown>>(
      sim,
      'POST',
      '/api/v1/token',
      form({ grant_type: 'refresh_token', refresh_token: String(first.body['refresh_token']) }),
    );
    const after = Date.now();
    for (const body of [first.body, second.body]) {
      const [issued, expires] = [String(body['.issued']), String(body['.expires'])];
      for (const time of [issued, expires]) expect(time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
      expect(Date.parse(issued)).toBeGreaterThanOrEqual(before);
      expect(Date.parse(issued)).toBeLessThanOrEqual(after);
      expect(Date.parse(expires) - Date.parse(issued)).toBe(Number(body['expires_in']) * 1000);
    }
  });

  it('accepts a charset on the form content type', async () => {
    const response = await raw(sim, 'POST', '/api/v1/token', {
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: new URLSearchParams({ grant_type: 'password', ...sim.credentials }).toString(),
    });
    expect(response.status).toBe(200);
  });

  it('answers 400 for a missing grant_type and a body that is not a form', async () => {
    const missing = await raw(sim, 'POST', '/api/v1/token', form({ username: 'demo' }));
    expect(missing.status).toBe(400);
    const none = await raw(sim, 'POST', '/api/v1/token', { body: 'grant_type=password' });
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({ errorCode: 'UnexpectedContent' });
  });

  it('refuses revoked, expired and unknown refresh tokens with 401 InvalidToken, without echoing them', async () => {
    const { refresh } = await login(sim);
    sim.revokeRefreshTokens();
    const revoked = await raw(sim, 'POST', '/api/v1/token', form({ grant_type: 'refresh_token', refresh_token: refresh }));
    expect(revoked.body).toMatchObject({ status: 401, errorCode: 'InvalidToken' });
    expect(JSON.stringify(revoked.body)).not.toContain(refresh);
    expect((await raw(sim, 'POST', '/api/v1/token', form({ grant_type: 'refresh_token', refresh_token: 'made-up' }))).status).toBe(401);
    expect((await raw(sim, 'POST', '/api/v1/token', form({ grant_type: 'refresh_token' }))).status).toBe(401);

    const shortLived = await startSimulator({ sessionCount: 1, refreshTokenTtlSeconds: 0 });
    try {
      const expired = await login(shortLived);
      const answer = await raw(shortLived, 'POST', '/api/v1/token', form({ grant_type: 'refresh_token', refresh_token: expired.refresh }));
      expect(answer.body).toMatchObject({ status: 401, errorCode: 'InvalidToken' });
    } finally {
      await shortLived.close();
    }
  });

  it('keeps the old access token valid after a refresh, and a new login works after revocation', async () => {
    const first = await login(sim);
    const rotated = await raw<{ access_token: string; refresh_token: string }>(
      sim,
      'POST',
      '/api/v1/token',
      form({ grant_type: 'refresh_token', refresh_token: first.refresh }),
    );
    expect(rotated.body.refresh_token).not.toBe(first.refresh);
    expect((await get(sim, first.access, '/api/v1/sessions?Limit=1')).status).toBe(200);
    expect(sim.activeAccessTokens()).toBe(2);
    sim.expireAccessTokens();
    expect(sim.activeAccessTokens()).toBe(0);
    expect((await raw(sim, 'POST', '/api/v1/token', password())).status).toBe(200);
    expect(sim.activeAccessTokens()).toBe(1);
  });

  it('does not count an MFA answer as a session, but lists its mfa_token as issued', async () => {
    const response = await raw<{ mfa_token: string }>(
      sim,
      'POST',
      '/api/v1/token',
      form({ grant_type: 'password', username: 'mfa', password: 'mfa-pass' }),
    );
    expect(sim.activeAccessTokens()).toBe(0);
    expect(sim.issuedTokens()).toEqual([response.body.mfa_token]);
    expect((await get(sim, response.body.mfa_token, '/api/v1/sessions')).status).toBe(401);
    const wrong = await raw(sim, 'POST', '/api/v1/token', form({ grant_type: 'password', username: 'mfa', password: 'nope' }));
    expect(wrong.body).toMatchObject({ status: 401, errorCode: 'AccessDenied' });
  });
});

describe('DELETE /token', () => {
  it('revokes the refresh token along with the access token', async () => {
    const { access, refresh } = await login(sim);
    expect((await raw(sim, 'DELETE', '/api/v1/token', { headers: { authorization: `Bearer ${access}` } })).status).toBe(204);
    const refreshed = await raw(sim, 'POST', '/api/v1/token', form({ grant_type: 'refresh_token', refresh_token: refresh }));
    expect(refreshed.body).toMatchObject({ status: 401, errorCode: 'InvalidToken' });
  });

  it('answers 401 without a bearer, with an unknown one, and on a second logout', async () => {
    const { access } = await login(sim);
    expect((await raw(sim, 'DELETE', '/api/v1/token')).status).toBe(401);
    expect((await raw(sim, 'DELETE', '/api/v1/token', { headers: { authorization: 'Bearer unknown' } })).status).toBe(401);
    expect((await raw(sim, 'DELETE', '/api/v1/token', { headers: { authorization: `bearer ${access}` } })).status).toBe(204);
    expect((await raw(sim, 'DELETE', '/api/v1/token', { headers: { authorization: `Bearer ${access}` } })).status).toBe(401);
  });
});

describe('bearer checks and the API version window', () => {
  it('distinguishes a missing, an unknown and an expired token', async () => {
    const missing = await raw(sim, 'GET', '/api/v1/sessions');
    expect(missing.body).toMatchObject({ status: 401, errorCode: 'InvalidToken', type: `${sim.origin}/api/v1/problems/noAccessToken` });
    expect((await get(sim, 'nope', '/api/v1/sessions')).body).toMatchObject({ status: 401, errorCode: 'InvalidToken' });
    const { access } = await login(sim);
    sim.expireAccessTokens();
    expect((await get(sim, access, '/api/v1/sessions')).body).toMatchObject({ status: 401, errorCode: 'ExpiredToken' });
  });

  it('requires x-api-version on every call and checks it against the window', async () => {
    const token = form({ grant_type: 'password', ...sim.credentials });
    expect((await raw(sim, 'POST', '/api/v1/token', { ...token, version: null })).body).toMatchObject({
      status: 400,
      type: `${sim.origin}/api/v1/problems/apiVersionUnspecified`,
    });
    expect((await raw(sim, 'POST', '/api/v1/token', { ...token, version: 'v1' })).body).toMatchObject({
      type: `${sim.origin}/api/v1/problems/invalidApiVersion`,
    });
    expect((await raw(sim, 'POST', '/api/v1/token', { ...token, version: '0.9-rev0' })).body).toMatchObject({
      type: `${sim.origin}/api/v1/problems/unsupportedApiVersion`,
    });
    const twice = await request(`${sim.url}/token`, {
      method: 'POST',
      headers: ['x-api-version', '1.0-rev0', 'x-api-version', '1.6-rev0', 'content-type', 'application/x-www-form-urlencoded'],
      body: token.body,
    });
    expect(await twice.body.json()).toMatchObject({ status: 400, type: `${sim.origin}/api/v1/problems/ambiguousApiVersion` });
    const narrow = await startSimulator({ sessionCount: 1, acceptedApiVersions: ['1.6-rev0'] });
    expect((await raw(narrow, 'POST', '/api/v1/token', { ...token, version: '1.0-rev0' })).status).toBe(400);
    expect((await raw(narrow, 'POST', '/api/v1/token', { ...token, version: '1.6-rev0' })).status).toBe(200);
    await narrow.close();
  });

  it('checks the version before the token on data calls, and accepts a lower-case bearer scheme', async () => {
    const { access } = await login(sim);
    const noVersion = await raw(sim, 'GET', '/api/v1/sessions', { headers: { authorization: `Bearer ${access}` }, version: null });
    expect(noVersion.body).toMatchObject({ status: 400, type: `${sim.origin}/api/v1/problems/apiVersionUnspecified` });
    const lower = await raw(sim, 'GET', '/api/v1/sessions?Limit=1', { headers: { authorization: `bearer ${access}` } });
    expect(lower.status).toBe(200);
    const basic = await raw(sim, 'GET', '/api/v1/sessions', { headers: { authorization: `Basic ${access}` } });
    expect(basic.body).toMatchObject({ status: 401, type: `${sim.origin}/api/v1/problems/noAccessToken` });
    const unknown = await get(sim, 'made-up', '/api/v1/sessions');
    expect(unknown.body).toMatchObject({ type: `${sim.origin}/api/v1/problems/invalidAccessToken` });
    sim.expireAccessTokens();
    expect((await get(sim, access, '/api/v1/system/version')).body).toMatchObject({
      type: `${sim.origin}/api/v1/problems/expiredAccessToken`,
    });
  });

  it('serves the product version to a bearer', async () => {
    const { access } = await login(sim);
    const version = await get<Record<string, unknown>>(sim, access, '/api/v1/system/version');
    expect(version.status).toBe(200);
    expect(Object.keys(version.body).sort()).toEqual(['about', 'version']);
    expect(version.body['version']).toMatch(/^\d+\.\d+/);
    expect((await raw(sim, 'GET', '/api/v1/system/version')).status).toBe(401);
  });

  it('never puts a password or a token in a problem body', async () => {
    const { access, refresh } = await login(sim);
    const bodies = [
      await raw(sim, 'POST', '/api/v1/token', form({ grant_type: 'password', username: 'demo', password: 'Hunter2-Secret' })),
      await raw(sim, 'POST', '/api/v1/token', form({ grant_type: 'refresh_token', refresh_token: `${refresh}x` })),
      await get(sim, `${access}x`, '/api/v1/sessions'),
    ].map((r) => JSON.stringify(r.body));
    for (const body of bodies) {
      for (const secret of ['Hunter2-Secret', refresh, access, sim.credentials.password]) expect(body).not.toContain(secret);
    }
  });
});
