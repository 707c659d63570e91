/**
 * Exact diagnosis (issue 10): each way the appliance can fail the gateway, produced by a real local
 * cause, answers with its own stable public code in GraphQL and the same reason in /readyz.
 */
import { rmSync } from 'node:fs';
import { request } from 'undici';
import { startSimulator } from '../../src/simulator';
import { startStack, type Stack, type StackOptions } from '../helpers/stack';
import { makeTestPki, type TestPki } from '../helpers/tls';

let pki: TestPki;

beforeAll(() => {
  pki = makeTestPki();
});

afterAll(() => {
  rmSync(pki.dir, { recursive: true, force: true });
});

async function closedPortUrl(): Promise<string> {
  const sim = await startSimulator({ sessionCount: 1 });
  const url = sim.url;
  await sim.close();
  return url;
}

async function diagnose(options: StackOptions, prepare?: (stack: Stack) => void | Promise<void>) {
  const stack = await startStack({ ...options, simulator: { sessionCount: 20, ...options.simulator } });
  try {
    await prepare?.(stack);
    const result = await stack.gql('{ sessions(page: {limit: 1}) { totalCount } }');
    const ready = await request(`${stack.gateway.url}/readyz`);
    const readiness = (await ready.body.json()) as Record<string, unknown>;
    return {
      error: result.errors?.[0],
      readyStatus: ready.statusCode,
      readiness,
      logs: stack.logs.text(),
      password: stack.sim.credentials.password,
    };
  } finally {
    await stack.close();
  }
}

describe('each failure has its own code, in GraphQL and /readyz', () => {
  it('a closed port is UPSTREAM_UNREACHABLE, not a login failure', async () => {
    const url = await closedPortUrl();
    const { error, readyStatus, readiness } = await diagnose({ upstream: { baseUrl: url } });
    expect(error?.extensions?.['code']).toBe('UPSTREAM_UNREACHABLE');
    expect(error?.message).toMatch(/unreachable \(ECONNREFUSED\)/);
    expect(readyStatus).toBe(503);
    expect(readiness).toMatchObject({ ready: false, reason: 'UPSTREAM_UNREACHABLE' });
  });

  it('an appliance certificate from an untrusted CA is UPSTREAM_TLS_FAILED, pointing at VEEAM_CA_FILE', async () => {
    const { error, readiness } = await diagnose({ simulator: { tls: { key: pki.key, cert: pki.cert } } });
    expect(error?.extensions?.['code']).toBe('UPSTREAM_TLS_FAILED');
    expect(error?.message).toMatch(/VEEAM_CA_FILE/);
    expect(readiness).toMatchObject({ ready: false, reason: 'UPSTREAM_TLS_FAILED' });
    expect(String(readiness['message'])).toMatch(/VEEAM_CA_FILE/);
  });

  it('a wrong password is UPSTREAM_AUTH_FAILED, and the password appears nowhere', async () => {
    const { error, readiness, logs } = await diagnose({ upstream: { password: 'Wr0ng-S3cret!' } });
    expect(error?.extensions?.['code']).toBe('UPSTREAM_AUTH_FAILED');
    expect(error?.message).toMatch(/credentials/);
    expect(readiness).toMatchObject({ ready: false, reason: 'UPSTREAM_AUTH_FAILED' });
    expect(logs).not.toContain('Wr0ng-S3cret!');
  });

  it('an MFA account is UPSTREAM_MFA_REQUIRED', async () => {
    const { error, readiness } = await diagnose({
      simulator: { mfaUsers: { alice: 'alice-pass' } },
      upstream: { username: 'alice', password: 'alice-pass' },
    });
    expect(error?.extensions?.['code']).toBe('UPSTREAM_MFA_REQUIRED');
    expect(readiness).toMatchObject({ ready: false, reason: 'UPSTREAM_MFA_REQUIRED' });
  });

  it('a pinned revision outside the appliance window is UPSTREAM_UNSUPPORTED_REVISION naming it', async () => {
    const { error, readiness } = await diagnose({
      simulator: { acceptedApiVersions: ['1.4-rev0', '1.5-rev0', '1.5-rev1', '1.6-rev0'] },
      upstream: { apiVersion: '1.0-rev0' },
    });
    expect(error?.extensions?.['code']).toBe('UPSTREAM_UNSUPPORTED_REVISION');
    expect(error?.message).toMatch(/1\.0-rev0 \(VEEAM_API_VERSION\)/);
    expect(readiness).toMatchObject({ ready: false, reason: 'UPSTREAM_UNSUPPORTED_REVISION' });
  });

  it('an account refused the data is UPSTREAM_FORBIDDEN', async () => {
    const { error, readiness } = await diagnose({}, (stack) => {
      stack.sim.knobs.faultRules = [{ pathIncludes: '/sessions', status: 403, errorCode: 'AccessDenied' }];
    });
    expect(error?.extensions?.['code']).toBe('UPSTREAM_FORBIDDEN');
    expect(readiness).toMatchObject({ ready: false, reason: 'UPSTREAM_FORBIDDEN' });
  });

  it('an appliance failing its own login (503) is UPSTREAM_UNAVAILABLE, not a credentials problem', async () => {
    const { error, readiness } = await diagnose({}, (stack) => {
      stack.sim.knobs.tokenEndpointDown = true;
    });
    expect(error?.extensions?.['code']).toBe('UPSTREAM_UNAVAILABLE');
    expect(readiness).toMatchObject({ ready: false, reason: 'UPSTREAM_UNAVAILABLE' });
  });

  it('a 400 on a data call is UPSTREAM_REJECTED, not BAD_USER_INPUT', async () => {
    const { error } = await diagnose({}, (stack) => {
      stack.sim.knobs.faultRules = [{ pathIncludes: '/sessions', status: 400 }];
    });
    expect(error?.extensions?.['code']).toBe('UPSTREAM_REJECTED');
  });
});
