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
  PERSISTED_QUERY_NOT_FOUND: { status: 400, meaning: 'A persisted query hash or trusted document id the gateway does not know.' },
  PERSISTED_QUERY_NOT_SUPPORTED: { status: 400, meaning: 'Persisted queries are not enabled.' },
  OPERATION_NOT_TRUSTED: {
    status: 400,
    meaning: 'TRUSTED_DOCUMENTS=require: only operations of the manifest run; send their id or hash. Refused before parsing.',
  },
  OPERATION_NOT_SUPPORTED: {
    status: 400,
    meaning: 'The schema has no root type for this operation type (mutations; subscriptions where live updates are off).',
  },
  QUERY_TOO_DEEP: { status: 400, meaning: 'The selection nests deeper than MAX_QUERY_DEPTH.' },
  TOO_MANY_ALIASES: { status: 400, meaning: 'The document has more aliases than MAX_QUERY_ALIASES.' },
  QUERY_TOO_COSTLY: { status: 400, meaning: 'The worst-case upstream calls exceed MAX_QUERY_COST; the message gives the figure.' },
  QUERY_TOO_LARGE: {
    status: 400,
    meaning:
      'The worst-case answer holds more rows than MAX_QUERY_ROWS, or the document expands too far to analyse; the message gives the figure.',
  },
  UNAUTHENTICATED: { status: 401, meaning: 'No valid client credential (API key or JWT).' },
  NOT_FOUND: { status: 404, meaning: 'No such resource, route or session.' },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'The request body exceeds MAX_BODY_BYTES.' },
  RATE_LIMITED: {
    status: 429,
    meaning:
      'This client sent too many requests, or has too many in progress (MAX_CLIENT_REQUESTS, MAX_CLIENT_EXPORTS); retry after Retry-After seconds.',
  },
  LIVE_TOO_MANY_SUBSCRIPTIONS: {
    status: 429,
    meaning: 'This client holds LIVE_MAX_SUBSCRIPTIONS_PER_CLIENT subscriptions already; close one first.',
  },
  LIVE_TOO_MANY_WEBSOCKETS: {
    status: 429,
    meaning: 'This client holds LIVE_MAX_WEBSOCKETS_PER_CLIENT WebSocket connections already (close code 4429); close one first.',
  },
  LIVE_GAP_TOO_OLD: {
    status: 410,
    meaning: 'The changes after the given USN (afterUsn, Last-Event-ID) are no longer in the replay window; re-query, then subscribe anew.',
  },
  LIVE_SUBSCRIBER_TOO_SLOW: {
    status: 503,
    meaning: 'The subscriber fell a whole replay window behind and was closed; re-query, then subscribe anew.',
  },
  INTERNAL_SERVER_ERROR: { status: 500, meaning: 'A gateway bug; the message is masked in production and the log has the details.' },
  GATEWAY_OVERLOADED: {
    status: 503,
    meaning: 'The gateway is near its memory limit and sheds new requests; retry after Retry-After seconds.',
  },
  UPSTREAM_ERROR: { status: 502, meaning: 'The appliance failed (an unexpected status).' },
  UPSTREAM_BAD_RESPONSE: { status: 502, meaning: 'The appliance answered something that is not what its API promises.' },
  UPSTREAM_AUTH_FAILED: {
    status: 502,
    meaning: "The appliance rejected the gateway's Veeam credentials or token (check VEEAM_USERNAME and VEEAM_PASSWORD).",
  },
  UPSTREAM_MFA_REQUIRED: {
    status: 502,
    meaning: "The gateway's Veeam account requires multi-factor authentication; use a service account without MFA.",
  },
  UPSTREAM_FORBIDDEN: { status: 502, meaning: "The gateway's Veeam account may not read this (or may not use the REST API)." },
  UPSTREAM_UNSUPPORTED_REVISION: {
    status: 502,
    meaning: 'The appliance accepts none of the API revisions offered (the pinned VEEAM_API_VERSION, or every known one).',
  },
  UPSTREAM_TLS_FAILED: { status: 502, meaning: "The appliance's certificate could not be verified; give its CA in VEEAM_CA_FILE." },
  UPSTREAM_REJECTED: {
    status: 502,
    meaning: "The appliance refused the gateway's request as invalid (400) although the client's input was valid.",
  },
  UPSTREAM_UNREACHABLE: {
    status: 503,
    meaning: 'No answer from the appliance: DNS failure, connection refused or reset, or connect timeout.',
  },
  UPSTREAM_UNAVAILABLE: {
    status: 503,
    meaning: 'The appliance answers that it is unavailable (502/503/504), or the circuit breaker is open.',
  },
  UPSTREAM_OVERLOADED: { status: 503, meaning: 'Too many upstream calls are waiting; load is shed. Retry shortly.' },
  UPSTREAM_RATE_LIMITED: { status: 503, meaning: 'The appliance is rate-limiting the gateway.' },
  UPSTREAM_TIMEOUT: { status: 504, meaning: 'The appliance did not answer in time.' },
  REQUEST_TIMEOUT: { status: 504, meaning: "The request exceeded the gateway's REQUEST_TIMEOUT_MS (EXPORT_TIMEOUT_MS for an export)." },
  REQUEST_ABORTED: { status: 499, meaning: 'The client went away; nothing is sent.' },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type PublicErrorCode = keyof typeof ERROR_CATALOGUE;

export const PUBLIC_ERROR_CODES = Object.keys(ERROR_CATALOGUE) as PublicErrorCode[];

/** The codes as constants: the rest of the code writes `ErrorCode.RATE_LIMITED`, never the string. */
export const ErrorCode = Object.fromEntries(PUBLIC_ERROR_CODES.map((code) => [code, code])) as { readonly [Code in PublicErrorCode]: Code };

export function isPublicErrorCode(value: unknown): value is PublicErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CATALOGUE, value);
}

export function statusOf(code: PublicErrorCode): number {
  return ERROR_CATALOGUE[code].status;
}
