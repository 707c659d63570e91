/**
 * The public error codes (`extensions.code`) and the one mapping from upstream failures to them.
 * Messages say what went wrong in the client's terms; upstream URLs, bodies and headers never appear.
 */
import { GraphQLError } from 'graphql';
import {
  CircuitOpenError,
  UpstreamAbortedError,
  UpstreamAuthError,
  UpstreamError,
  UpstreamHttpError,
} from '../upstream/errors';

export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  UPSTREAM_TIMEOUT: 'UPSTREAM_TIMEOUT',
  UPSTREAM_AUTH_FAILED: 'UPSTREAM_AUTH_FAILED',
  UPSTREAM_FORBIDDEN: 'UPSTREAM_FORBIDDEN',
  UPSTREAM_RATE_LIMITED: 'UPSTREAM_RATE_LIMITED',
  UPSTREAM_ERROR: 'UPSTREAM_ERROR',
  UPSTREAM_BAD_RESPONSE: 'UPSTREAM_BAD_RESPONSE',
  REQUEST_ABORTED: 'REQUEST_ABORTED',
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  UPSTREAM_OVERLOADED: 'UPSTREAM_OVERLOADED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export function badUserInput(message: string, argument?: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, ...(argument ? { argument } : {}) },
  });
}

interface UpstreamExtension {
  endpoint: string;
  status?: number;
  errorCode?: string;
  retryAfterSeconds?: number;
}

function classifyHttp(error: UpstreamHttpError): { code: ErrorCode; message: string } {
  const { status } = error;
  if (status === 404) return { code: ErrorCode.NOT_FOUND, message: 'Not found on the Veeam appliance' };
  if (status === 400) return { code: ErrorCode.BAD_USER_INPUT, message: 'The Veeam appliance rejected the request as invalid' };
  if (status === 401) return { code: ErrorCode.UPSTREAM_AUTH_FAILED, message: 'The Veeam appliance refused the gateway\'s token' };
  if (status === 403) return { code: ErrorCode.UPSTREAM_FORBIDDEN, message: 'The gateway\'s Veeam account is not allowed to read this' };
  if (status === 429) return { code: ErrorCode.UPSTREAM_RATE_LIMITED, message: 'The Veeam appliance is rate-limiting the gateway' };
  if (status === 502 || status === 503 || status === 504) {
    return { code: ErrorCode.UPSTREAM_UNAVAILABLE, message: 'The Veeam appliance is unavailable' };
  }
  return { code: ErrorCode.UPSTREAM_ERROR, message: `The Veeam appliance failed (${status})` };
}

function classify(error: UpstreamError): { code: ErrorCode; message: string } {
  if (error instanceof UpstreamHttpError) return classifyHttp(error);
  if (error instanceof UpstreamAuthError) {
    return { code: ErrorCode.UPSTREAM_AUTH_FAILED, message: 'The gateway could not log in to the Veeam appliance' };
  }
  if (error instanceof UpstreamAbortedError && error.deadlineExceeded) {
    return { code: ErrorCode.REQUEST_TIMEOUT, message: 'The request exceeded the gateway\'s deadline' };
  }
  switch (error.code) {
    case 'UPSTREAM_CIRCUIT_OPEN':
      return { code: ErrorCode.UPSTREAM_UNAVAILABLE, message: 'The Veeam appliance is failing; the gateway is not calling it for a moment' };
    case 'UPSTREAM_OVERLOADED':
      return { code: ErrorCode.UPSTREAM_OVERLOADED, message: 'Too many calls are waiting for the Veeam appliance; try again shortly' };
    case 'UPSTREAM_TIMEOUT':
      return { code: ErrorCode.UPSTREAM_TIMEOUT, message: 'The Veeam appliance did not answer in time' };
    case 'UPSTREAM_NETWORK_ERROR':
      return { code: ErrorCode.UPSTREAM_UNAVAILABLE, message: 'The Veeam appliance is unreachable' };
    case 'UPSTREAM_ABORTED':
      return { code: ErrorCode.REQUEST_ABORTED, message: 'The request was aborted' };
    case 'UPSTREAM_BAD_RESPONSE':
      return { code: ErrorCode.UPSTREAM_BAD_RESPONSE, message: 'The Veeam appliance sent an unusable response' };
    default:
      return { code: ErrorCode.UPSTREAM_ERROR, message: 'The Veeam appliance call failed' };
  }
}

/** Turns any error thrown by the upstream layer into a client-safe GraphQL error. */
export function toGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  if (!(error instanceof UpstreamError)) {
    return new GraphQLError('Unexpected error.', {
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
      originalError: error instanceof Error ? error : undefined,
    });
  }
  const { code, message } = classify(error);
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
  // originalError is deliberately not attached: its message and cause chain are for logs only.
  return new GraphQLError(message, { extensions: { code, upstream } });
}

/** Awaits an upstream call and rethrows its failure as a client-safe GraphQL error. */
export async function upstreamCall<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    throw toGraphQLError(error);
  }
}
