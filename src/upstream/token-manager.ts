/**
 * The gateway's one upstream identity: logs in with the password grant on first need, refreshes
 * before expiry with the refresh-token grant (falling back to a password login when that fails),
 * and logs out on shutdown. Tokens live only here; nothing in this module logs or throws them.
 *
 * Single flight: however many callers arrive at a cold start or at expiry, one token request is made
 * and they all await it (concurrent refreshes are the classic bug: openfga/js-sdk#333).
 */
import type { Logger } from 'pino';
import type { TokenResponseDto } from './dto';
import { UpstreamAuthError, UpstreamHttpError, isUpstreamError } from './errors';
import type { UpstreamHttp } from './http-client';

export interface Credentials {
  username: string;
  password: string;
}

export interface TokenManagerOptions {
  /**
   * Refresh when this fraction of the lifetime is left, so callers never hold a token that expires
   * mid-flight. @default 0.1 (6 minutes of a 1-hour token)
   */
  refreshBeforeExpiryRatio?: number;
  /** Cap on the early-refresh window. @default 60_000 ms: plenty for any in-flight call. */
  maxRefreshWindowMs?: number;
  now?: () => number;
  /** Told of every grant made and how it went (metrics). */
  onGrant?: (grant: 'password' | 'refresh_token', outcome: 'success' | 'failure') => void;
}

interface TokenState {
  accessToken: string;
  refreshToken: string | undefined;
  /** When the appliance stops accepting the access token. */
  expiresAt: number;
  /** When to start a refresh (while the current token still works). */
  refreshAt: number;
}

const DEFAULT_REFRESH_RATIO = 0.1;
const DEFAULT_MAX_REFRESH_WINDOW_MS = 60_000;
const TOKEN_ENDPOINT = 'POST /token';

export class TokenManager {
  private state: TokenState | undefined;
  private inflight: Promise<TokenState> | undefined;
  private readonly ratio: number;
  private readonly maxWindowMs: number;
  private readonly now: () => number;
  private readonly onGrant: NonNullable<TokenManagerOptions['onGrant']>;
  private logins = 0;
  private refreshes = 0;

  constructor(
    private readonly http: UpstreamHttp,
    private readonly credentials: Credentials,
    private readonly logger: Logger,
    options: TokenManagerOptions = {},
  ) {
    this.ratio = options.refreshBeforeExpiryRatio ?? DEFAULT_REFRESH_RATIO;
    this.maxWindowMs = options.maxRefreshWindowMs ?? DEFAULT_MAX_REFRESH_WINDOW_MS;
    this.now = options.now ?? Date.now;
    this.onGrant = options.onGrant ?? (() => undefined);
  }

  /** Counts for metrics and tests: how many password logins and refreshes were made. */
  get stats(): { logins: number; refreshes: number } {
    return { logins: this.logins, refreshes: this.refreshes };
  }

  /** A token good for the next call. Starts a background refresh when the current one nears expiry. */
  async getAccessToken(): Promise<string> {
    const state = this.state;
    const now = this.now();
    if (state && now < state.refreshAt) return state.accessToken;
    if (state && now < state.expiresAt) {
      // Still valid: serve it and renew behind the caller's back rather than making it wait.
      this.renew().catch((error: unknown) => {
        this.logger.warn({ err: describe(error) }, 'background token refresh failed; will retry on next use');
      });
      return state.accessToken;
    }
    return (await this.renew()).accessToken;
  }

  /**
   * The appliance rejected `accessToken` (401): forget it so the next getAccessToken() renews.
   * Only the token that failed is dropped: a caller holding an older token must not throw away a
   * newer one another caller already obtained.
   */
  invalidate(accessToken: string): void {
    if (this.state?.accessToken === accessToken) {
      this.state = { ...this.state, expiresAt: 0, refreshAt: 0 };
    }
  }

  /** Whether a token is held right now (for readiness). */
  hasValidToken(): boolean {
    return this.state !== undefined && this.now() < this.state.expiresAt;
  }

  /** `DELETE /token` for the current session, on graceful shutdown. Never throws. */
  async logout(): Promise<void> {
    const state = this.state;
    this.state = undefined;
    if (!state || this.now() >= state.expiresAt) return;
    try {
      await this.http.request({
        method: 'DELETE',
        path: '/token',
        endpoint: 'DELETE /token',
        headers: { authorization: `Bearer ${state.accessToken}` },
      });
      this.logger.info('logged out of the Veeam API');
    } catch (error) {
      this.logger.warn({ err: describe(error) }, 'Veeam API logout failed');
    }
  }

  private renew(): Promise<TokenState> {
    if (!this.inflight) {
      this.inflight = this.obtain().finally(() => {
        this.inflight = undefined;
      });
    }
    return this.inflight;
  }

  private async obtain(): Promise<TokenState> {
    const refreshToken = this.state?.refreshToken;
    if (refreshToken !== undefined) {
      try {
        const state = await this.grant({ grant_type: 'refresh_token', refresh_token: refreshToken });
        this.refreshes += 1;
        return this.adopt(state);
      } catch (error) {
        // An expired/revoked refresh token is normal (refresh lifetime is finite): log in again.
        this.logger.info({ err: describe(error) }, 'token refresh failed; logging in with the password grant');
      }
    }
    const state = await this.grant({
      grant_type: 'password',
      username: this.credentials.username,
      password: this.credentials.password,
    });
    this.logins += 1;
    return this.adopt(state);
  }

  private adopt(state: TokenState): TokenState {
    this.state = state;
    return state;
  }

  private async grant(form: Record<string, string>): Promise<TokenState> {
    const grant = form['grant_type'] === 'refresh_token' ? 'refresh_token' : 'password';
    try {
      const state = await this.request(form);
      this.onGrant(grant, 'success');
      return state;
    } catch (error) {
      this.onGrant(grant, 'failure');
      throw error;
    }
  }

  private async request(form: Record<string, string>): Promise<TokenState> {
    let body: TokenResponseDto | undefined;
    try {
      ({ body } = await this.http.request<TokenResponseDto>({
        method: 'POST',
        path: '/token',
        endpoint: TOKEN_ENDPOINT,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      }));
    } catch (error) {
      throw this.toAuthError(form['grant_type'], error);
    }
    return this.toState(body);
  }

  private toState(body: TokenResponseDto | undefined): TokenState {
    const hasAccessToken = typeof body?.access_token === 'string' && body.access_token !== '';
    if (!hasAccessToken && (typeof body?.mfa_token === 'string' || body?.mfa_enabled === true)) {
      throw new UpstreamAuthError(
        'MFA_REQUIRED',
        `Veeam account "${this.credentials.username}" requires multi-factor authentication; ` +
          'the gateway needs a service account without MFA (VEEAM_USERNAME).',
      );
    }
    if (typeof body?.access_token !== 'string' || body.access_token === '') {
      throw new UpstreamAuthError('NO_TOKEN_IN_RESPONSE', 'Veeam API token response carried no access token');
    }
    const issuedAt = this.now();
    const lifetimeMs = lifetimeOf(body, issuedAt);
    const window = Math.min(lifetimeMs * this.ratio, this.maxWindowMs);
    return {
      accessToken: body.access_token,
      refreshToken: typeof body.refresh_token === 'string' && body.refresh_token !== '' ? body.refresh_token : undefined,
      expiresAt: issuedAt + lifetimeMs,
      refreshAt: issuedAt + lifetimeMs - window,
    };
  }

  private toAuthError(grantType: string | undefined, error: unknown): Error {
    if (error instanceof UpstreamHttpError && (error.status === 400 || error.status === 401 || error.status === 403)) {
      if (grantType === 'password') {
        return new UpstreamAuthError(
          'BAD_CREDENTIALS',
          `Veeam API rejected the credentials of user "${this.credentials.username}" ` +
            `(${error.status}${error.errorCode ? ` ${error.errorCode}` : ''}); check VEEAM_USERNAME and the password.`,
          { status: error.status, cause: error },
        );
      }
      return new UpstreamAuthError('TOKEN_ENDPOINT_FAILED', `Veeam API refused the refresh token (${error.status})`, {
        status: error.status,
        cause: error,
      });
    }
    if (isUpstreamError(error)) {
      return new UpstreamAuthError('TOKEN_ENDPOINT_FAILED', `Veeam API login failed: ${error.message}`, {
        status: error instanceof UpstreamHttpError ? error.status : undefined,
        cause: error,
      });
    }
    return error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * Token lifetime from `expires_in` (seconds), else from `.expires`. With neither, the token is kept
 * until the appliance rejects it: a 401 then renews it, which beats guessing a constant.
 */
function lifetimeOf(body: TokenResponseDto, issuedAt: number): number {
  if (typeof body.expires_in === 'number' && body.expires_in > 0) return body.expires_in * 1000;
  const expires = typeof body['.expires'] === 'string' ? Date.parse(body['.expires']) : Number.NaN;
  if (!Number.isNaN(expires) && expires > issuedAt) return expires - issuedAt;
  return Number.MAX_SAFE_INTEGER / 2;
}

/** A log-safe description of an error: its class, code and message (which never hold secrets). */
export function describe(error: unknown): { type: string; code?: string; message: string } {
  if (error instanceof Error) {
    const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
    return { type: error.name, ...(code ? { code } : {}), message: error.message };
  }
  return { type: typeof error, message: 'non-error thrown' };
}
