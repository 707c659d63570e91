/**
 * Object ids of the API, under one rule: one (`__typename`, `id`) always carries one set of field
 * values, so normalised client caches never mix two objects' figures. Objects whose values depend on
 * more than an upstream id (an instance within a session, an instance's figures over a range) get an
 * opaque id of everything their values depend on. base64url keeps them URL- and cache-key-safe and
 * tells clients not to parse them.
 */
import { createHash } from 'node:crypto';

const opaque = (...parts: string[]): string => Buffer.from(parts.join('/'), 'utf8').toString('base64url');

/** An instance as processed in one session. */
export function protectedItemId(sessionId: string, instanceId: string): string {
  return opaque('ProtectedItem', sessionId.toLowerCase(), instanceId);
}

/** Bytes of the range digest in a FailingItem id: 64 bits make a collision between two ranges implausible. */
const RANGE_DIGEST_BYTES = 8;

/** An instance's failure figures over one range (a normalised filter, JSON-serialisable). */
export function failingItemId(range: unknown, instanceId: string): string {
  const digest = createHash('sha256')
    .update(JSON.stringify(range))
    .digest('base64url')
    .slice(0, Math.ceil((RANGE_DIGEST_BYTES * 4) / 3));
  return opaque('FailingItem', digest, instanceId);
}
