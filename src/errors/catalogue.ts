/**
 * Every public error code of the gateway, once: what it means and the HTTP status it answers with
 * when it decides the status (the gateway's own answers and the exports; a GraphQL response with
 * data keeps 200). Apollo's masking allowlist, the export answers, the README's table and the error
 * classes all derive from this table (test/errors/catalogue.test.ts holds the README to it).
 */
export const ERROR_CATALOGUE = {
  BAD_USER_INPUT: { status: 400, meaning: 'An argument or parameter is invalid; the message names it. No upstream call was made.' },
  BAD_REQUEST: { status: 400, meaning: 'The HTTP request is not a GraphQL request (body, method or content type).' },
  GRAPHQL_PARSE_FAILED: { status: 400, meaning: 'The document is not valid GraphQL syntax.' },
  GRAPHQL_VALIDATION_FAILED: { status: 400, meaning: 'The document does not fit the schema.' },
  OPERATION_RESOLUTION_FAILURE: { status: 400, meaning: 'The operation named by operationName is not in the document.' },
  PERSISTED_QUERY_NOT_FOUND: { status: 400, meaning: 'An automatic persisted query hash the gateway does not know.' },
  PERSISTED_QUERY_NOT_SUPPORTED: { status: 400, meaning: 'Persisted queries are not enabled.' },
  QUERY_TOO_DEEP: { status: 400, meaning: 'The selection nests deeper than MAX_QUERY_DEPTH.' },
  TOO_MANY_ALIASES: { status: 400, meaning: 'The document has more aliases than MAX_QUERY_ALIASES.' },
  QUERY_TOO_COSTLY: { status: 400, meaning: 'The worst-case upstream calls exceed MAX_QUERY_COST; the message gives the figure.' },
  UNAUTHENTICATED: { status: 401, meaning: 'No valid client credential (API key or JWT).' },
  NOT_FOUND: { status: 404, meaning: 'No such resource, route or session.' },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'The request body exceeds MAX_BODY_BYTES.' },
  RATE_LIMITED: { status: 429, meaning: 'This client sent too many requests; retry after Retry-After seconds.' },
  INTERNAL_SERVER_ERROR: { status: 500, meaning: 'A gateway bug; the message is masked in production and the log has the details.' },
  UPSTREAM_ERROR: { status: 502, meaning: 'The appliance failed (an unexpected status).' },
  UPSTREAM_BAD_RESPONSE: { status: 502, meaning: 'The appliance answered something that is not what its API promises.' },
  UPSTREAM_AUTH_FAILED: { status: 502, meaning: "The gateway's own Veeam login failed (operator action needed)." },
  UPSTREAM_FORBIDDEN: { status: 502, meaning: "The gateway's Veeam account may not read this." },
  UPSTREAM_UNAVAILABLE: { status: 503, meaning: 'The appliance is unreachable or failing (or the circuit breaker is open).' },
  UPSTREAM_OVERLOADED: { status: 503, meaning: 'Too many upstream calls are waiting; load is shed. Retry shortly.' },
  UPSTREAM_RATE_LIMITED: { status: 503, meaning: 'The appliance is rate-limiting the gateway.' },
  UPSTREAM_TIMEOUT: { status: 504, meaning: 'The appliance did not answer in time.' },
  REQUEST_TIMEOUT: { status: 504, meaning: "The request exceeded the gateway's REQUEST_TIMEOUT_MS." },
  REQUEST_ABORTED: { status: 499, meaning: 'The client went away; nothing is sent.' },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type PublicErrorCode = keyof typeof ERROR_CATALOGUE;

export const PUBLIC_ERROR_CODES = Object.keys(ERROR_CATALOGUE) as PublicErrorCode[];

export function isPublicErrorCode(value: unknown): value is PublicErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CATALOGUE, value);
}

export function statusOf(code: PublicErrorCode): number {
  return ERROR_CATALOGUE[code].status;
}
