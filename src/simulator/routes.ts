/**
 * The simulator's request plumbing: which endpoint a method and path are, the API-version window's
 * parsing, and small HTTP helpers.
 */
import type { IncomingMessage } from 'node:http';

/** VBAWS 2.0 (1.0-rev0) through 10.0 (1.8-rev0): a real appliance accepts a window of about four. */
export const DEFAULT_API_VERSIONS = [
  '1.0-rev0', '1.1-rev0', '1.2-rev0', '1.3-rev0', '1.4-rev0', '1.5-rev0', '1.5-rev1', '1.6-rev0', '1.7-rev0', '1.8-rev0',
];
export const API_VERSION = /^(\d+)\.(\d+)-rev(\d+)$/;
const MAX_BODY_BYTES = 64 * 1024;
export const BASE = '/api/v1';

export function versionAtLeast(version: string, major: number, minor: number): boolean {
  const match = API_VERSION.exec(version);
  if (!match) return false;
  const [maj, min] = [Number(match[1]), Number(match[2])];
  return maj > major || (maj === major && min >= minor);
}

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


export async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function rfc1123(ms: number): string {
  return new Date(ms).toUTCString();
}

