/**
 * Whether a GET on the GraphQL endpoint is a person opening it in a browser (show the playground)
 * or a GraphQL request (leave it to Apollo). Only an explicit `text/html` counts — `*\/*` is what
 * curl and most HTTP clients send — and a client that ranks a GraphQL JSON type higher gets JSON.
 */
import type { IncomingMessage } from 'node:http';

const GRAPHQL_JSON_TYPES = new Set(['application/json', 'application/graphql-response+json']);

/** The q-value of each media type named explicitly in an Accept header (no wildcard expansion). */
function explicitQualities(accept: string): Map<string, number> {
  const qualities = new Map<string, number>();
  for (const range of accept.split(',')) {
    const [type = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    const q = parameters.find((p) => p.startsWith('q='));
    const quality = q === undefined ? 1 : Number(q.slice(2));
    if (type !== '' && Number.isFinite(quality)) qualities.set(type, Math.max(qualities.get(type) ?? 0, quality));
  }
  return qualities;
}

/**
 * True for a browser visit: Accept names text/html (q > 0) and no GraphQL JSON type above it, and
 * the URL has no `query` parameter (a GraphQL GET request is never taken, whatever it accepts).
 */
export function isBrowserVisit(req: IncomingMessage, search: URLSearchParams): boolean {
  if (search.has('query')) return false;
  const accept = req.headers.accept;
  if (accept === undefined) return false;
  const qualities = explicitQualities(accept);
  const html = qualities.get('text/html') ?? 0;
  if (html <= 0) return false;
  for (const type of GRAPHQL_JSON_TYPES) if ((qualities.get(type) ?? 0) > html) return false;
  return true;
}
