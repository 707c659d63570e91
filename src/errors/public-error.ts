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
} from '../upstream/errors';
import type { PublicErrorCode } from './catalogue';

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

function classifyHttp(error: UpstreamHttpError): { code: PublicErrorCode; message: string } {
  const { status } = error;
  if (status === 404) return { code: 'NOT_FOUND', message: 'Not found on the Veeam appliance' };
  if (status === 400) return { code: 'BAD_USER_INPUT', message: 'The Veeam appliance rejected the request as invalid' };
  if (status === 401) return { code: 'UPSTREAM_AUTH_FAILED', message: "The Veeam appliance refused the gateway's token" };
  if (status === 403) return { code: 'UPSTREAM_FORBIDDEN', message: "The gateway's Veeam account is not allowed to read this" };
  if (status === 429) return { code: 'UPSTREAM_RATE_LIMITED', message: 'The Veeam appliance is rate-limiting the gateway' };
  if (status === 502 || status === 503 || status === 504) return { code: 'UPSTREAM_UNAVAILABLE', message: 'The Veeam appliance is unavailable' };
  return { code: 'UPSTREAM_ERROR', message: `The Veeam appliance failed (${status})` };
}

function classifyUpstream(error: UpstreamError): { code: PublicErrorCode; message: string } {
  if (error instanceof UpstreamHttpError) return classifyHttp(error);
  if (error instanceof UpstreamAuthError) return { code: 'UPSTREAM_AUTH_FAILED', message: 'The gateway could not log in to the Veeam appliance' };
  if (error instanceof UpstreamAbortedError && error.deadlineExceeded) {
    return { code: 'REQUEST_TIMEOUT', message: "The request exceeded the gateway's deadline" };
  }
  switch (error.code) {
    case 'UPSTREAM_CIRCUIT_OPEN':
      return { code: 'UPSTREAM_UNAVAILABLE', message: 'The Veeam appliance is failing; the gateway is not calling it for a moment' };
    case 'UPSTREAM_OVERLOADED':
      return { code: 'UPSTREAM_OVERLOADED', message: 'Too many calls are waiting for the Veeam appliance; try again shortly' };
    case 'UPSTREAM_TIMEOUT':
      return { code: 'UPSTREAM_TIMEOUT', message: 'The Veeam appliance did not answer in time' };
    case 'UPSTREAM_NETWORK_ERROR':
      return { code: 'UPSTREAM_UNAVAILABLE', message: 'The Veeam appliance is unreachable' };
    case 'UPSTREAM_ABORTED':
      return { code: 'REQUEST_ABORTED', message: 'The request was aborted' };
    case 'UPSTREAM_BAD_RESPONSE':
      return { code: 'UPSTREAM_BAD_RESPONSE', message: 'The Veeam appliance sent an unusable response' };
    default:
      return { code: 'UPSTREAM_ERROR', message: 'The Veeam appliance call failed' };
  }
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
    return { code: 'BAD_USER_INPUT', message: error.message, ...(error.argument ? { argument: error.argument } : {}) };
  }
  if (error instanceof UpstreamError) return { ...classifyUpstream(error), upstream: upstreamExtension(error) };
  return undefined;
}
