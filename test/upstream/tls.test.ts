/**
 * TLS as appliances really are: a certificate from a private CA. VEEAM_CA_FILE makes the gateway
 * trust it; without it the connection is refused; VEEAM_TLS_INSECURE=true skips the check, loudly.
 */
import { rmSync } from 'node:fs';
import { loadConfig } from '../../src/config/config';
import { createUpstream, UpstreamNetworkError } from '../../src/upstream';
import { startSimulator, type Simulator } from '../../src/simulator';
import { makeTestPki, type TestPki } from '../helpers/tls';
import { captureLogs } from '../helpers/upstream';

let pki: TestPki;
let sim: Simulator;

beforeAll(async () => {
  pki = makeTestPki();
  sim = await startSimulator({ sessionCount: 20, tls: { key: pki.key, cert: pki.cert } });
});

afterAll(async () => {
  await sim.close();
  rmSync(pki.dir, { recursive: true, force: true });
});

function configWith(extra: Record<string, string>) {
  const config = loadConfig({
    VEEAM_BASE_URL: sim.url,
    VEEAM_USERNAME: sim.credentials.username,
    VEEAM_PASSWORD: sim.credentials.password,
    AUTH_MODE: 'none',
    ...extra,
  });
  if (!config.upstream) throw new Error('expected an upstream config');
  return config.upstream;
}

describe('TLS to the appliance', () => {
  it('serves HTTPS', () => {
    expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/api\/v1$/);
  });

  it('trusts the appliance through VEEAM_CA_FILE', async () => {
    const upstream = createUpstream(configWith({ VEEAM_CA_FILE: pki.caFile }), captureLogs().logger);
    const page = await upstream.client.listSessions({ limit: 2 });
    await upstream.close();
    expect(page.results).toHaveLength(2);
  });

  it('refuses the appliance without the CA', async () => {
    const upstream = createUpstream(configWith({}), captureLogs().logger);
    const failure = await upstream.client.listSessions({ limit: 1 }).catch((e: unknown) => e);
    await upstream.close();
    // No answer at all: a network error naming the certificate check, never a login failure.
    expect(failure).toBeInstanceOf(UpstreamNetworkError);
    expect((failure as UpstreamNetworkError).causeCode).toMatch(/CERT|SIGNATURE|SELF_SIGNED|UNABLE_TO_VERIFY/);
  });

  it('skips verification only with VEEAM_TLS_INSECURE=true, and warns', async () => {
    const logs = captureLogs();
    const upstream = createUpstream(configWith({ VEEAM_TLS_INSECURE: 'true' }), logs.logger);
    const page = await upstream.client.listSessions({ limit: 1 });
    await upstream.close();
    expect(page.results).toHaveLength(1);
    const warning = logs.lines().find((line) => line['level'] === 40 && /NOT verified/.test(String(line['msg'])));
    expect(warning).toBeDefined();
  });
});
