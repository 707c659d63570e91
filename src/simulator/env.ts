/**
 * The standalone simulator's settings from the environment (`npm run simulator`). Pure apart from
 * reading the TLS files, so that tests can check what each variable does.
 */
import { readFileSync } from 'node:fs';
import { ApiVersionWindowError, parseApiVersionList } from './api-version-window';
import type { SimulatorOptions } from './server';

/** A variable with a value the simulator cannot use; main reports it and exits 2. */
export class EnvError extends Error {}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text)) throw new EnvError(`${name} must be a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** SIM_HTTP2: `true` or `false` (default); HTTP/2 is offered over TLS only, as appliances do. */
function http2(env: NodeJS.ProcessEnv, hasTls: boolean): boolean {
  const text = env['SIM_HTTP2'];
  if (text === undefined || text === '' || text === 'false') return false;
  if (text !== 'true') throw new EnvError(`SIM_HTTP2 must be true or false, got ${JSON.stringify(text)}`);
  if (!hasTls) throw new EnvError('SIM_HTTP2=true needs SIM_TLS_CERT and SIM_TLS_KEY: HTTP/2 is offered over TLS only (no h2c)');
  return true;
}

function apiVersions(env: NodeJS.ProcessEnv): string[] | undefined {
  const text = env['SIM_API_VERSIONS'];
  if (text === undefined || text.trim() === '') return undefined;
  try {
    return parseApiVersionList(text);
  } catch (error) {
    if (error instanceof ApiVersionWindowError) throw new EnvError(`SIM_API_VERSIONS: ${error.message}`);
    throw error;
  }
}

export function simulatorOptionsFromEnv(env: NodeJS.ProcessEnv): SimulatorOptions {
  const cert = env['SIM_TLS_CERT'];
  const key = env['SIM_TLS_KEY'];
  const versions = apiVersions(env);
  const tls = cert && key ? { cert: readFileSync(cert), key: readFileSync(key) } : undefined;
  const offerHttp2 = http2(env, tls !== undefined);
  return {
    port: int(env, 'SIM_PORT', 11005),
    host: env['SIM_HOST'] || '127.0.0.1',
    sessionCount: int(env, 'SIM_SESSIONS', 3000),
    seed: int(env, 'SIM_SEED', 1),
    ...(versions ? { acceptedApiVersions: versions } : {}),
    knobs: { latencyMs: int(env, 'SIM_LATENCY_MS', 0), jitterMs: int(env, 'SIM_JITTER_MS', 0) },
    ...(tls ? { tls, http2: offerHttp2 } : {}),
  };
}
