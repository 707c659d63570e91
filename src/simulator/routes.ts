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

export function route(method: string, path: string): Route | { endpoint: string; wrongMethod: true } | undefined {
  const match = (expected: string, endpoint: string, id?: string): Route | { endpoint: string; wrongMethod: true } =>
    method === expected ? { endpoint, ...(id !== undefined ? { id } : {}) } : { endpoint, wrongMethod: true };
  if (path === `${BASE}/token`) {
    if (method === 'POST') return { endpoint: 'POST /token' };
    if (method === 'DELETE') return { endpoint: 'DELETE /token' };
    return { endpoint: `${method} /token`, wrongMethod: true };
  }
  if (path === `${BASE}/sessions`) return match('GET', 'GET /sessions');
  if (path === `${BASE}/system/version`) return match('GET', 'GET /system/version');
  const parts = /^\/api\/v1\/(sessions?)\/([^/]+)(?:\/(protectedItems|log))?$/.exec(path);
  if (!parts) return undefined;
  const [, collection, id, sub] = parts;
  if (collection === 'session' && sub !== 'protectedItems') return undefined; // the seeds' typo exists only there
  const endpoint = sub ? `GET /sessions/{id}/${sub}` : 'GET /sessions/{id}';
  return match('GET', endpoint, id);
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

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

