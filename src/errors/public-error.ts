/**
 * The one mapping from what the layers below throw (the upstream error family, the core's
 * InvalidInputError) onto the public catalogue. Messages say what went wrong in the client's terms;
 * upstream URLs, bodies and headers never appear. Each surface wraps the result its own way
 * (graphql/errors.ts as a GraphQLError, the exports and http answers as JSON).
 */
import { InvalidInputError } from '../sessions/errors';
import {
  CircuitOpenError,
  UpstreamAbortedError,
  UpstreamAuthError,
  UpstreamError,
  UpstreamHttpError,
  UpstreamNetworkError,
  UpstreamRevisionLacksError,
  UpstreamTimeoutError,
  UpstreamUnsupportedRevisionError,
} from '../upstream/errors';
import { ErrorCode, type PublicErrorCode } from './catalogue';

/** What a client may learn of the upstream failure behind an error. */
export interface UpstreamExtension {
  /** The logical operation (`GET /sessions/{id}`); dropped in production. */
  endpoint: string;
  status?: number;
  errorCode?: string;
  retryAfterSeconds?: number;
}

export interface PublicFailure {
  code: PublicErrorCode;
  message: string;
  /** The argument at fault (BAD_USER_INPUT). */
  argument?: string;
  upstream?: UpstreamExtension;
}

/** Whether a problem body names the API version (an appliance refusing the revision it was sent). */
const NAMES_API_VERSION = /api[-_ ]?version/i;

function classifyHttp(error: UpstreamHttpError): { code: PublicErrorCode; message: string } {
  const { status } = error;
  if (status === 404) return { code: ErrorCode.NOT_FOUND, message: 'Not found on the Veeam appliance' };
  if (
    status === 400 &&
    [error.problemType, error.problemTitle, error.details].some((text) => text !== undefined && NAMES_API_VERSION.test(text))
  ) {
    return { code: ErrorCode.UPSTREAM_UNSUPPORTED_REVISION, message: 'The Veeam appliance refused the API revision the gateway speaks' };
  }
  // The client's input was validated before the call: a 400 here is the gateway's request not fitting this appliance.
  if (status === 400) return { code: ErrorCode.UPSTREAM_REJECTED, message: "The Veeam appliance refused the gateway's request as invalid" };
  if (status === 401) return { code: ErrorCode.UPSTREAM_AUTH_FAILED, message: "The Veeam appliance refused the gateway's token" };
  if (status === 403) return { code: ErrorCode.UPSTREAM_FORBIDDEN, message: "The gateway's Veeam account is not allowed to read this" };
  if (status === 429) return { code: ErrorCode.UPSTREAM_RATE_LIMITED, message: 'The Veeam appliance is rate-limiting the gateway' };
  if (status === 502 || status === 503 || status === 504)
    return { code: ErrorCode.UPSTREAM_UNAVAILABLE, message: 'The Veeam appliance is unavailable' };
  return { code: ErrorCode.UPSTREAM_ERROR, message: `The Veeam appliance failed (${status})` };
}

/** Low-level codes of a failed certificate check (Node's TLS and OpenSSL's names). */
const TLS_FAILURE = /CERT|SELF_SIGNED|SIGNATURE|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|HOSTNAME|ALTNAME|ERR_TLS|ERR_SSL/;

function classifyLogin(error: UpstreamAuthError): { code: PublicErrorCode; message: string } {
  switch (error.reason) {
    case 'BAD_CREDENTIALS':
      return {
        code: ErrorCode.UPSTREAM_AUTH_FAILED,
        message: "The Veeam appliance rejected the gateway's credentials (VEEAM_USERNAME, VEEAM_PASSWORD)",
      };
    case 'MFA_REQUIRED':
      return {
        code: ErrorCode.UPSTREAM_MFA_REQUIRED,
        message: "The gateway's Veeam account requires multi-factor authentication; it needs a service account without MFA",
      };
    case 'FORBIDDEN':
      return { code: ErrorCode.UPSTREAM_FORBIDDEN, message: "The gateway's Veeam account may not use the REST API" };
    case 'NO_TOKEN_IN_RESPONSE':
      return { code: ErrorCode.UPSTREAM_BAD_RESPONSE, message: 'The Veeam appliance answered the login without a token' };
    default: {
      const status = error.status ?? 0;
      if (status === 502 || status === 503 || status === 504)
        return { code: ErrorCode.UPSTREAM_UNAVAILABLE, message: 'The Veeam appliance is unavailable (login failed)' };
      return { code: ErrorCode.UPSTREAM_ERROR, message: `The Veeam appliance failed the gateway's login${status ? ` (${status})` : ''}` };
    }
  }
}

/** The exact diagnosis of an upstream failure: a stable public code and an operator-readable message. */
export function diagnoseUpstream(error: UpstreamError): { code: PublicErrorCode; message: string } {
  if (error instanceof UpstreamHttpError) return classifyHttp(error);
  if (error instanceof UpstreamAuthError) return classifyLogin(error);
  if (error instanceof UpstreamRevisionLacksError) {
    return {
      code: ErrorCode.BAD_USER_INPUT,
      message: `${capitalise(error.feature)} needs Veeam API revision ${error.neededRevision}; the appliance speaks ${error.revisionInUse}`,
    };
  }
  if (error instanceof UpstreamUnsupportedRevisionError) {
    return {
      code: ErrorCode.UPSTREAM_UNSUPPORTED_REVISION,
      message: error.pinned
        ? `The Veeam appliance refused API revision ${error.refused.join(', ')} (VEEAM_API_VERSION); use auto or a revision it accepts`
        : 'The Veeam appliance accepts none of the API revisions this gateway knows',
    };
  }
  if (error instanceof UpstreamNetworkError && error.causeCode !== undefined && TLS_FAILURE.test(error.causeCode)) {
    return {
      code: ErrorCode.UPSTREAM_TLS_FAILED,
      message: `The Veeam appliance's certificate could not be verified (${error.causeCode}); set VEEAM_CA_FILE to its CA certificate`,
    };
  }
  if (error instanceof UpstreamAbortedError && error.deadlineExceeded) {
    return { code: ErrorCode.REQUEST_TIMEOUT, message: "The request exceeded the gateway's deadline" };
  }
  if (error instanceof UpstreamTimeoutError && error.phase === 'connect') {
    return { code: ErrorCode.UPSTREAM_UNREACHABLE, message: 'The Veeam appliance is unreachable (connect timeout)' };
  }
  switch (error.code) {
    case 'VEEAM_ERR_CIRCUIT_OPEN':
      return {
        code: ErrorCode.UPSTREAM_UNAVAILABLE,
        message: 'The Veeam appliance is failing; the gateway is not calling it for a moment',
      };
    case 'VEEAM_ERR_QUEUE_FULL':
      return { code: ErrorCode.UPSTREAM_OVERLOADED, message: 'Too many calls are waiting for the Veeam appliance; try again shortly' };
    case 'VEEAM_ERR_TIMEOUT':
      return { code: ErrorCode.UPSTREAM_TIMEOUT, message: 'The Veeam appliance did not answer in time' };
    case 'VEEAM_ERR_NETWORK': {
      const cause = error instanceof UpstreamNetworkError && error.causeCode ? ` (${error.causeCode})` : '';
      return {
        code: ErrorCode.UPSTREAM_UNREACHABLE,
        message: `The Veeam appliance is unreachable${cause}; check VEEAM_BASE_URL and the network`,
      };
    }
    case 'VEEAM_ERR_ABORTED':
      return { code: ErrorCode.REQUEST_ABORTED, message: 'The request was aborted' };
    case 'VEEAM_ERR_BAD_RESPONSE':
      return { code: ErrorCode.UPSTREAM_BAD_RESPONSE, message: 'The Veeam appliance sent an unusable response' };
    default:
      return { code: ErrorCode.UPSTREAM_ERROR, message: 'The Veeam appliance call failed' };
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function upstreamExtension(error: UpstreamError): UpstreamExtension {
  const upstream: UpstreamExtension = { endpoint: error.endpoint };
  if (error instanceof UpstreamHttpError) {
    upstream.status = error.status;
    if (error.errorCode !== undefined) upstream.errorCode = error.errorCode;
    if (error.retryAfterSeconds !== undefined) upstream.retryAfterSeconds = error.retryAfterSeconds;
  } else if (error instanceof UpstreamAuthError) {
    if (error.status !== undefined) upstream.status = error.status;
  } else if (error instanceof CircuitOpenError) {
    upstream.retryAfterSeconds = error.retryAfterSeconds;
  }
  return upstream;
}

/**
 * The public face of any failure from the layers below; `undefined` for anything else (a bug: the
 * caller answers INTERNAL_SERVER_ERROR and logs it).
 */
export function describeFailure(error: unknown): PublicFailure | undefined {
  if (error instanceof InvalidInputError) {
    return { code: ErrorCode.BAD_USER_INPUT, message: error.message, ...(error.argument ? { argument: error.argument } : {}) };
  }
  // The request asked for more than the appliance's revision has: the client's input, refused before any call.
  if (error instanceof UpstreamRevisionLacksError) return diagnoseUpstream(error);
  if (error instanceof UpstreamError) return { ...diagnoseUpstream(error), upstream: upstreamExtension(error) };
  return undefined;
}
