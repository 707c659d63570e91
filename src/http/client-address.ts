/**
 * The address a request comes from: the socket's, or, behind proxies the operator trusts
 * (TRUST_PROXY = how many), the entry of X-Forwarded-For that the outermost trusted proxy wrote.
 * Entries further left are whatever the client sent and are never believed.
 */
import type { IncomingMessage } from 'node:http';

export function clientAddress(req: IncomingMessage, trustedProxies: number): string {
  const socketAddress = req.socket.remoteAddress ?? 'unknown';
  if (trustedProxies <= 0) return socketAddress;
  const header = req.headers['x-forwarded-for'];
  const entries = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  // Each trusted proxy appended the address it saw: the n-th from the right is the client's.
  // Fewer entries than trusted proxies: no trusted proxy vouches for any of them, so the socket's.
  return entries[entries.length - trustedProxies] ?? socketAddress;
}
