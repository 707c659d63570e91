/**
 * The upstream error family. One class per failure mode, each with a stable `code` (as undici does),
 * so callers branch on the kind of failure, never on message text.
 *
 * Messages are written for operators and may reach a GraphQL client through the error mapping:
 * they never contain the upstream URL, a response body, a header or any credential. The appliance's
 * own problem text (`details`) is kept apart so the GraphQL layer decides whether to show it.
 */

export type UpstreamErrorCode =
  | 'VEEAM_ERR_HTTP_STATUS'
  | 'VEEAM_ERR_NETWORK'
  | 'VEEAM_ERR_TIMEOUT'
  | 'VEEAM_ERR_ABORTED'
  | 'VEEAM_ERR_BAD_RESPONSE'
  | 'VEEAM_ERR_AUTH'
  | 'VEEAM_ERR_CIRCUIT_OPEN'
  | 'VEEAM_ERR_QUEUE_FULL'
  | 'VEEAM_ERR_UNSUPPORTED_REVISION'
  | 'VEEAM_ERR_REVISION_LACKS';

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
  readonly code = 'VEEAM_ERR_HTTP_STATUS' as const;
  readonly status: number;
  /** The problem's `errorCode` (`NotFound`, `ExpiredToken`, …) when the body was a problem. */
  readonly errorCode: string | undefined;
  /** The problem's human text. The appliance's words: shown to clients only through the error mapping. */
  readonly details: string | undefined;
  readonly problemType: string | undefined;
  readonly problemTitle: string | undefined;
  /** Seconds from a `Retry-After` header (429/503), when present and valid. */
  readonly retryAfterSeconds: number | undefined;

  constructor(init: {
    endpoint: string;
    status: number;
    errorCode?: string | undefined;
    details?: string | undefined;
    problemType?: string | undefined;
    problemTitle?: string | undefined;
    retryAfterSeconds?: number | undefined;
  }) {
    super(`Veeam API ${init.endpoint} answered ${init.status}${init.errorCode ? ` (${init.errorCode})` : ''}`, init.endpoint);
    this.status = init.status;
    this.errorCode = init.errorCode;
    this.details = init.details;
    this.problemType = init.problemType;
    this.problemTitle = init.problemTitle;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

/** No HTTP answer: connection refused, reset, DNS failure, TLS failure. */
export class UpstreamNetworkError extends UpstreamError {
  readonly code = 'VEEAM_ERR_NETWORK' as const;
  /** The low-level cause's code (`ECONNREFUSED`, `UND_ERR_SOCKET`, `DEPTH_ZERO_SELF_SIGNED_CERT`, …). */
  readonly causeCode: string | undefined;

  constructor(endpoint: string, causeCode: string | undefined, cause: unknown) {
    super(`Veeam API ${endpoint} is unreachable${causeCode ? ` (${causeCode})` : ''}`, endpoint, { cause });
    this.causeCode = causeCode;
  }
}

export type TimeoutPhase = 'connect' | 'headers' | 'body';

export class UpstreamTimeoutError extends UpstreamError {
  readonly code = 'VEEAM_ERR_TIMEOUT' as const;
  readonly phase: TimeoutPhase;

  constructor(endpoint: string, phase: TimeoutPhase, cause: unknown) {
    super(`Veeam API ${endpoint} timed out (${phase})`, endpoint, { cause });
    this.phase = phase;
  }
}

/** The caller gave up (client disconnected, request deadline). Not a failure of the appliance. */
export class UpstreamAbortedError extends UpstreamError {
  readonly code = 'VEEAM_ERR_ABORTED' as const;
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
  readonly code = 'VEEAM_ERR_BAD_RESPONSE' as const;

  constructor(endpoint: string, reason: string) {
    super(`Veeam API ${endpoint} sent an unusable response: ${reason}`, endpoint);
  }
}

/**
 * BAD_CREDENTIALS: the appliance refused the user or password. FORBIDDEN: the account may not use
 * the REST API. TOKEN_ENDPOINT_FAILED: the appliance failed the login itself (5xx, odd 4xx).
 */
export type AuthFailureReason = 'BAD_CREDENTIALS' | 'MFA_REQUIRED' | 'FORBIDDEN' | 'NO_TOKEN_IN_RESPONSE' | 'TOKEN_ENDPOINT_FAILED';

/**
 * The gateway could not obtain a token. The message names the cause and tells the operator what to
 * do, and never contains the user name's password or any token.
 */
export class UpstreamAuthError extends UpstreamError {
  readonly code = 'VEEAM_ERR_AUTH' as const;
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
  readonly code = 'VEEAM_ERR_CIRCUIT_OPEN' as const;
  /** Seconds until the next probe may be attempted. */
  readonly retryAfterSeconds: number;

  constructor(endpoint: string, retryAfterSeconds: number) {
    super(`Veeam API ${endpoint} not called: the appliance failed repeatedly (circuit open)`, endpoint);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Not called: too many calls are already waiting for the appliance (load shed). */
export class UpstreamOverloadedError extends UpstreamError {
  readonly code = 'VEEAM_ERR_QUEUE_FULL' as const;

  constructor(endpoint: string, maxQueue: number) {
    super(`Veeam API ${endpoint} not called: ${maxQueue} calls are already waiting (load shed)`, endpoint);
  }
}

/**
 * The appliance refused every API revision the gateway offered: the pinned one (VEEAM_API_VERSION),
 * or with negotiation every known one.
 */
export class UpstreamUnsupportedRevisionError extends UpstreamError {
  readonly code = 'VEEAM_ERR_UNSUPPORTED_REVISION' as const;
  /** The revisions offered and refused, in the order tried. */
  readonly refused: readonly string[];
  readonly pinned: boolean;

  constructor(refused: readonly string[], pinned: boolean, endpoint = 'POST /token') {
    super(
      pinned
        ? `Veeam API refused the pinned API revision ${refused.join(', ')} (VEEAM_API_VERSION); ` +
            'set VEEAM_API_VERSION=auto to negotiate, or a revision the appliance accepts.'
        : `Veeam API accepted none of the API revisions the gateway knows (${refused.join(', ')}); ` +
            'the appliance is older or newer than this gateway supports.',
      endpoint,
    );
    this.refused = refused;
    this.pinned = pinned;
  }
}

/**
 * Not called: the request needs a parameter or value that the API revision in use does not have
 * (an older appliance would ignore it and answer wrong data, or reject it).
 */
export class UpstreamRevisionLacksError extends UpstreamError {
  readonly code = 'VEEAM_ERR_REVISION_LACKS' as const;
  /** What the request asked for, in the appliance's terms (`ParentSessionId`, `Types=ManualTask`). */
  readonly feature: string;
  readonly neededRevision: string;
  readonly revisionInUse: string;

  constructor(endpoint: string, feature: string, neededRevision: string, revisionInUse: string) {
    super(
      `Veeam API ${endpoint} not called: ${feature} needs API revision ${neededRevision}, the appliance speaks ${revisionInUse}`,
      endpoint,
    );
    this.feature = feature;
    this.neededRevision = neededRevision;
    this.revisionInUse = revisionInUse;
  }
}

export function isUpstreamError(error: unknown): error is UpstreamError {
  return error instanceof UpstreamError;
}
