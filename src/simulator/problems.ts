/**
 * RFC 7807-style problem bodies as the appliance sends them: `{type, title, status, errorCode,
 * details}`, the human text in `details`. Never a secret in them.
 */
import type { ProblemDto } from '../upstream/dto';

export type ProblemName =
  | 'apiVersionUnspecified'
  | 'invalidApiVersion'
  | 'ambiguousApiVersion'
  | 'unsupportedApiVersion'
  | 'noAccessToken'
  | 'invalidAccessToken'
  | 'expiredAccessToken'
  | 'accessDenied'
  | 'resourceNotFound'
  | 'validationError'
  | 'unknownError'
  | 'serviceUnavailable'
  | 'methodNotAllowed'
  | 'unexpectedContent'
  | 'tooManyRequests';

const TITLES: Record<ProblemName, { status: number; errorCode: string; title: string }> = {
  apiVersionUnspecified: { status: 400, errorCode: 'UnexpectedContent', title: 'API version unspecified' },
  invalidApiVersion: { status: 400, errorCode: 'UnexpectedContent', title: 'Invalid API version' },
  ambiguousApiVersion: { status: 400, errorCode: 'UnexpectedContent', title: 'Ambiguous API version' },
  unsupportedApiVersion: { status: 400, errorCode: 'UnexpectedContent', title: 'Unsupported API version' },
  noAccessToken: { status: 401, errorCode: 'InvalidToken', title: 'No access token' },
  invalidAccessToken: { status: 401, errorCode: 'InvalidToken', title: 'Invalid access token' },
  expiredAccessToken: { status: 401, errorCode: 'ExpiredToken', title: 'Expired access token' },
  accessDenied: { status: 401, errorCode: 'AccessDenied', title: 'Access denied' },
  resourceNotFound: { status: 404, errorCode: 'NotFound', title: 'Resource not found' },
  validationError: { status: 400, errorCode: 'UnexpectedContent', title: 'Validation error' },
  unknownError: { status: 500, errorCode: 'UnknownError', title: 'Unknown error' },
  serviceUnavailable: { status: 503, errorCode: 'ServiceUnavailable', title: 'Service unavailable' },
  methodNotAllowed: { status: 405, errorCode: 'MethodNotAllowed', title: 'Method not allowed' },
  unexpectedContent: { status: 400, errorCode: 'UnexpectedContent', title: 'Unexpected content' },
  tooManyRequests: { status: 429, errorCode: 'ServiceUnavailable', title: 'Too many requests' },
};

export function problem(
  origin: string,
  name: ProblemName,
  details: string,
  override?: { status?: number; errorCode?: string },
): ProblemDto {
  const base = TITLES[name];
  return {
    type: `${origin}/api/v1/problems/${name}`,
    title: base.title,
    status: override?.status ?? base.status,
    errorCode: override?.errorCode ?? base.errorCode,
    details,
  };
}

/** The problem a forced fault status maps to. */
export function problemForStatus(status: number): ProblemName {
  if (status === 401) return 'invalidAccessToken';
  if (status === 403) return 'accessDenied';
  if (status === 404) return 'resourceNotFound';
  if (status === 429) return 'tooManyRequests';
  if (status === 503) return 'serviceUnavailable';
  if (status >= 500) return 'unknownError';
  return 'validationError';
}
