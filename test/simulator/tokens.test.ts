/**
 * The simulator's token endpoint and bearer checks, as the spec describes the appliance's.
 */
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
    expect(response.body['.expires']).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  });

  it('rejects bad credentials with a problem that does not echo the password', async () => {
    const response = await raw<Record<string, unknown>>(sim, 'POST', '/api/v1/token', form({ grant_type: 'password', username: 'demo', password: 'Guess-123' }));
    expect(response.status).toBe(401);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 401, errorCode: 'AccessDenied', details: 'Invalid user name or password.' });
    expect(JSON.stringify(response.body)).not.toContain('Guess-123');
  });

  it('answers an MFA account with an mfa_token and no tokens', async () => {
    const response = await raw<Record<string, unknown>>(sim, 'POST', '/api/v1/token', form({ grant_type: 'password', username: 'mfa', password: 'mfa-pass' }));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ mfa_enabled: true, mfa_token: expect.any(String) });
    expect(response.body['access_token']).toBeUndefined();
  });

  it('rotates refresh tokens: each works once', async () => {
    const { refresh } = await login(sim);
    const first = await raw<{ access_token: string }>(sim, 'POST', '/api/v1/token', form({ grant_type: 'refresh_token', refresh_token: refresh }));
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
    const narrow = await startSimulator({ sessionCount: 1, acceptedApiVersions: ['1.6-rev0'] });
    expect((await raw(narrow, 'POST', '/api/v1/token', { ...token, version: '1.0-rev0' })).status).toBe(400);
    expect((await raw(narrow, 'POST', '/api/v1/token', { ...token, version: '1.6-rev0' })).status).toBe(200);
    await narrow.close();
  });
});
