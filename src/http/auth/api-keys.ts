/**
 * AUTH_MODE=apikey: clients send `x-api-key`; API_KEYS_FILE lists `<client-name> <sha256-hex>` per
 * line, so the file holds no usable secret. The presented key is hashed and compared with every
 * entry in constant time: no early exit tells an attacker which entry came close.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { AuthError } from './errors';

export interface ApiKeyEntry {
  client: string;
  digest: Buffer;
}

const LINE = /^([A-Za-z0-9._:@-]{1,64})\s+([0-9a-fA-F]{64})$/;
/** Longer keys are refused before hashing: no legitimate key is this long, and hashing costs CPU. */
const MAX_KEY_LENGTH = 512;
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/** Parses the keys file. Errors name the line, never its content. */
export function parseApiKeys(text: string, fileName: string): ApiKeyEntry[] {
  const entries: ApiKeyEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = LINE.exec(line);
    if (!match) {
      throw new Error(`${fileName} line ${index + 1}: expected "<client-name> <sha256 hex of the key>"`);
    }
    entries.push({ client: match[1] ?? '', digest: Buffer.from((match[2] ?? '').toLowerCase(), 'hex') });
  });
  if (entries.length === 0) throw new Error(`${fileName} lists no API key`);
  return entries;
}

export function loadApiKeys(path: string): ApiKeyEntry[] {
  return parseApiKeys(readFileSync(path, 'utf8'), path);
}

export function sha256Hex(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function authenticateApiKey(entries: readonly ApiKeyEntry[], headers: IncomingHttpHeaders): string {
  const presented = headers['x-api-key'];
  if (presented === undefined || presented === '') throw new AuthError('Missing API key (send it in the x-api-key header)', undefined);
  if (Array.isArray(presented) || presented.length > MAX_KEY_LENGTH) throw new AuthError('Invalid API key', undefined);
  // Keys are generated as printable ASCII; anything else (a pasted smart quote, a non-breaking space)
  // can never match, and saying so beats a bare "invalid".
  if (!PRINTABLE_ASCII.test(presented))
    throw new AuthError('Invalid API key: a key is printable ASCII only (check for pasted quotes or non-breaking spaces)', undefined);
  const digest = createHash('sha256').update(presented, 'utf8').digest();
  let client: string | undefined;
  for (const entry of entries) {
    // Every entry is compared, match or not: the time taken does not depend on which one matched.
    if (timingSafeEqual(entry.digest, digest) && client === undefined) client = entry.client;
  }
  if (client === undefined) throw new AuthError('Invalid API key', undefined);
  return client;
}
