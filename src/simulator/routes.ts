/**
 * The simulator's request plumbing: which endpoint a method and path are, the x-api-version
 * header's syntax, and small HTTP helpers. Which revisions are accepted is api-version-window.ts.
 */
import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';

/** The form of an x-api-version value; a well-formed one outside the window is unsupported, not invalid. */
export const API_VERSION = /^(\d+)\.(\d+)-rev(\d+)$/;
const MAX_BODY_BYTES = 64 * 1024;
export const BASE = '/api/v1';

/** A request as the 'request' event hands it over: HTTP/1.1's, or HTTP/2's compatibility API (server.ts). */
export type SimulatorRequest = IncomingMessage | Http2ServerRequest;

export interface Route {
  endpoint: string;
  id?: string;
}

/** A known resource asked for with a method it does not serve: 405 with an Allow header. */
export interface WrongMethod {
  endpoint: string;
  wrongMethod: true;
  allow: string;
}

const SESSION_PATH = /^\/api\/v1\/(sessions?)\/([^/]+)(?:\/(protectedItems|log))?$/i;

/**
 * Which endpoint a request is. ASP.NET routing ignores the case of literal segments and a trailing
 * slash, so the simulator does too. Endpoint names are the counters' names.
 */
export function route(method: string, rawPath: string): Route | WrongMethod | undefined {
  const path = rawPath.length > 1 && rawPath.endsWith('/') ? rawPath.slice(0, -1) : rawPath;
  const lower = path.toLowerCase();
  const only = (expected: string, endpoint: string, id?: string): Route | WrongMethod =>
    method === expected
      ? { endpoint, ...(id !== undefined ? { id } : {}) }
      : { endpoint: endpoint.replace(expected, method), wrongMethod: true, allow: expected };
  if (lower === `${BASE}/token`) {
    if (method === 'POST') return { endpoint: 'POST /token' };
    if (method === 'DELETE') return { endpoint: 'DELETE /token' };
    return { endpoint: `${method} /token`, wrongMethod: true, allow: 'POST, DELETE' };
  }
  if (lower === `${BASE}/sessions`) return only('GET', 'GET /sessions');
  if (lower === `${BASE}/system/version`) return only('GET', 'GET /system/version');
  const parts = SESSION_PATH.exec(path);
  if (!parts) return undefined;
  const [, collection = '', id, sub] = parts;
  // The seeds' singular typo is served for the protected items only, where the seed used it.
  if (collection.toLowerCase() === 'session' && sub?.toLowerCase() !== 'protecteditems') return undefined;
  const endpoint = sub ? `GET /sessions/{id}/${sub.toLowerCase() === 'log' ? 'log' : 'protectedItems'}` : 'GET /sessions/{id}';
  return only('GET', endpoint, id);
}

/** The bearer token of an Authorization header; the scheme is case-insensitive (RFC 7235). */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^bearer +(\S+) *$/i.exec(header ?? '');
  return match?.[1];
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

export async function readBody(req: SimulatorRequest): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
