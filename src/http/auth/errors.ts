import { ErrorCode } from '../../errors/catalogue';
/**
 * The one failure of client authentication: a 401 with a stable code and a message that names what
 * is wrong with the credential, never the credential itself.
 */
export class AuthError extends Error {
  readonly status = 401 as const;
  readonly code = ErrorCode.UNAUTHENTICATED;

  constructor(
    message: string,
    /** Value of the WWW-Authenticate header (RFC 6750 for bearer tokens). */
    readonly wwwAuthenticate: string | undefined,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}
