/**
 * Raw HTTP against the simulator, for tests of the simulator itself: no gateway code in the way.
 */
import { request, type Dispatcher } from 'undici';
import type { Simulator } from '../../src/simulator';

export interface RawResponse<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

export async function raw<T = unknown>(
  sim: Simulator,
  method: 'GET' | 'POST' | 'DELETE' | 'PUT',
  path: string,
  /** `dispatcher`: e.g. a client that trusts a TLS simulator's CA, or that speaks HTTP/2 (default: undici's global one). */
  init: { headers?: Record<string, string>; body?: string; version?: string | null; dispatcher?: Dispatcher } = {},
): Promise<RawResponse<T>> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.version !== null) headers['x-api-version'] = init.version ?? '1.0-rev0';
  const response = await request(`${sim.origin}${path}`, { method, headers, body: init.body, dispatcher: init.dispatcher });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T };
}

export async function login(sim: Simulator, version = '1.0-rev0', dispatcher?: Dispatcher): Promise<{ access: string; refresh: string }> {
  const response = await raw<{ access_token: string; refresh_token: string }>(sim, 'POST', '/api/v1/token', {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', ...sim.credentials }).toString(),
    version,
    dispatcher,
  });
  if (response.status !== 200) throw new Error(`login failed: ${response.status}`);
  return { access: response.body.access_token, refresh: response.body.refresh_token };
}

/** GET with a bearer token. */
export async function get<T = unknown>(
  sim: Simulator,
  token: string,
  path: string,
  version = '1.0-rev0',
  dispatcher?: Dispatcher,
): Promise<RawResponse<T>> {
  return raw<T>(sim, 'GET', path, { headers: { authorization: `Bearer ${token}` }, version, dispatcher });
}
