/**
 * The upstream error family. One class per failure mode, each with a stable `code` (as undici does),
 * so callers branch on the kind of failure, never on message text.
 *
 * Messages are written for operators and may reach a GraphQL client through the error mapping:
 * they never contain the upstream URL, a response body, a header or any credential. The appliance's
 * own problem text (`details`) is kept apart so the GraphQL layer decides whether to show it.
 */

export type UpstreamErrorCode =
  | 'UPSTREAM_HTTP_ERROR'
  | 'UPSTREAM_NETWORK_ERROR'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_ABORTED'
  | 'UPSTREAM_BAD_RESPONSE'
  | 'UPSTREAM_AUTH_FAILED'
  | 'UPSTREAM_CIRCUIT_OPEN'
  | 'UPSTREAM_OVERLOADED';

export abstract class UpstreamError extends Error {
  abstract readonly code: UpstreamErrorCode;
  /** The logical operation (e.g. `GET /sessions/{id}`), never the concrete URL. */
  readonly endpoint: string;

  protected constructor(message: string, endpoint: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.endpoint = endpoint;
  }
}

/** The appliance answered with a non-2xx status. Carries its problem+json fields when it sent them. */
export class UpstreamHttpError extends UpstreamError {
  readonly code = 'UPSTREAM_HTTP_ERROR' as const;
  readonly status: number;
  /** The problem's `errorCode` (`NotFound`, `ExpiredToken`, …) when the body was a problem. */
  readonly errorCode: string | undefined;
  /** The problem's human text. The appliance's words: shown to clients only through the error mapping. */
  readonly details: string | undefined;
  readonly problemType: string | undefined;
  /** Seconds from a `Retry-After` header (429/503), when present and valid. */
  readonly retryAfterSeconds: number | undefined;

  constructor(init: {
    endpoint: string;
    status: number;
    errorCode?: string | undefined;
    details?: string | undefined;
    problemType?: string | undefined;
    retryAfterSeconds?: number | undefined;
  }) {
    super(
      `Veeam API ${init.endpoint} answered ${init.status}${init.errorCode ? ` (${init.errorCode})` : ''}`,
      init.endpoint,
    );
    this.status = init.status;
    this.errorCode = init.errorCode;
    this.details = init.details;
    this.problemType = init.problemType;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

/** No HTTP answer: connection refused, reset, DNS failure, TLS failure. */
export class UpstreamNetworkError extends UpstreamError {
  readonly code = 'UPSTREAM_NETWORK_ERROR' as const;
  /** The low-level cause's code (`ECONNREFUSED`, `UND_ERR_SOCKET`, `DEPTH_ZERO_SELF_SIGNED_CERT`, …). */
  readonly causeCode: string | undefined;

  constructor(endpoint: string, causeCode: string | undefined, cause: unknown) {
    super(`Veeam API ${endpoint} is unreachable${causeCode ? ` (${causeCode})` : ''}`, endpoint, { cause });
    this.causeCode = causeCode;
  }
}

export type TimeoutPhase = 'connect' | 'headers' | 'body';

export class UpstreamTimeoutError extends UpstreamError {
  readonly code = 'UPSTREAM_TIMEOUT' as const;
  readonly phase: TimeoutPhase;

  constructor(endpoint: string, phase: TimeoutPhase, cause: unknown) {
    super(`Veeam API ${endpoint} timed out (${phase})`, endpoint, { cause });
    this.phase = phase;
  }
}

/** The caller gave up (client disconnected, request deadline). Not a failure of the appliance. */
export class UpstreamAbortedError extends UpstreamError {
  readonly code = 'UPSTREAM_ABORTED' as const;
  /** Aborted by the request's deadline (AbortSignal.timeout), not by a client that went away. */
  readonly deadlineExceeded: boolean;

  constructor(endpoint: string, reason: unknown) {
    // By name, not instanceof: AbortSignal.timeout's DOMException may come from another realm.
    const deadlineExceeded = typeof reason === 'object' && reason !== null && (reason as { name?: unknown }).name === 'TimeoutError';
    super(`Veeam API ${endpoint} call was aborted${deadlineExceeded ? ' (request deadline)' : ''}`, endpoint, { cause: reason });
    this.deadlineExceeded = deadlineExceeded;
  }
}

/** A 2xx whose body is not the JSON the contract promises. */
export class UpstreamBadResponseError extends UpstreamError {
  readonly code = 'UPSTREAM_BAD_RESPONSE' as const;

  constructor(endpoint: string, reason: string) {
    super(`Veeam API ${endpoint} sent an unusable response: ${reason}`, endpoint);
  }
}

export type AuthFailureReason = 'BAD_CREDENTIALS' | 'MFA_REQUIRED' | 'NO_TOKEN_IN_RESPONSE' | 'TOKEN_ENDPOINT_FAILED';

/**
 * The gateway could not obtain a token. The message names the cause and tells the operator what to
 * do, and never contains the user name's password or any token.
 */
export class UpstreamAuthError extends UpstreamError {
  readonly code = 'UPSTREAM_AUTH_FAILED' as const;
  readonly reason: AuthFailureReason;
  readonly status: number | undefined;

  constructor(reason: AuthFailureReason, message: string, options?: { status?: number; cause?: unknown }) {
    super(message, 'POST /token', { cause: options?.cause });
    this.reason = reason;
    this.status = options?.status;
  }
}

/** Not called: the appliance failed repeatedly and the circuit breaker is open. */
export class CircuitOpenError extends UpstreamError {
  readonly code = 'UPSTREAM_CIRCUIT_OPEN' as const;
  /** Seconds until the next probe may be attempted. */
  readonly retryAfterSeconds: number;

  constructor(endpoint: string, retryAfterSeconds: number) {
    super(`Veeam API ${endpoint} not called: the appliance failed repeatedly (circuit open)`, endpoint);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Not called: too many calls are already waiting for the appliance (load shed). */
export class UpstreamOverloadedError extends UpstreamError {
  readonly code = 'UPSTREAM_OVERLOADED' as const;

  constructor(endpoint: string, maxQueue: number) {
    super(`Veeam API ${endpoint} not called: ${maxQueue} calls are already waiting (load shed)`, endpoint);
  }
}

export function isUpstreamError(error: unknown): error is UpstreamError {
  return error instanceof UpstreamError;
}
