/**
 * The gateway's one upstream identity and the API revision it speaks. Logs in with the password
 * grant on first need (negotiating the revision when configured `auto`), refreshes before expiry
 * with the refresh-token grant (falling back to a password login when that fails), and logs out on
 * shutdown. Tokens live only here; nothing in this module logs or throws them.
 *
 * Single flight: however many callers arrive at a cold start or at expiry, one token request is made
 * and they all await it (concurrent refreshes are the classic bug: openfga/js-sdk#333).
 *
 * Which revision a login tries, and what is remembered once one is accepted: negotiation.ts.
 */
import type { Logger } from 'pino';
import type { TokenResponseDto } from './dto';
import { UpstreamAuthError, UpstreamHttpError } from './errors';
import { RevisionNegotiator, refusesRevision } from './negotiation';
import { upstreamTimeToEpochMs } from './time';
import { requestJson, type Dispatch } from './transport';

export interface Credentials {
  username: string;
  password: string;
}

export interface TokenManagerOptions {
  /** A revision to pin (`1.6-rev0`) or `auto` to negotiate. */
  apiVersion: string;
  /** The base URL's path (`/api/v1`), which prefixes the token endpoint. */
  basePath: string;
  /**
   * Refresh when this fraction of the lifetime is left, so callers never hold a token that expires
   * mid-flight. @default 0.1 (6 minutes of a 1-hour token)
   */
  refreshBeforeExpiryRatio?: number;
  /** Cap on the early-refresh window. @default 60_000 ms: plenty for any in-flight call. */
  maxRefreshWindowMs?: number;
  /** The clock expiry is judged by. @default Date.now */
  now?: () => number;
  /** Told of every grant made and how it went (metrics). */
  onGrant?: (grant: 'password' | 'refresh_token', outcome: 'success' | 'failure') => void;
  /** Told when a login settles on a revision (metrics). */
  onRevision?: (revision: string) => void;
}

/** What a data call needs from the session: the bearer token and the revision to send. */
export interface SessionCredentials {
  accessToken: string;
  revision: string;
}

interface TokenState extends SessionCredentials {
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
  private readonly negotiator: RevisionNegotiator;
  private dispatch: Dispatch | undefined;
  private readonly ratio: number;
  private readonly maxWindowMs: number;
  private readonly now: () => number;
  private readonly onGrant: NonNullable<TokenManagerOptions['onGrant']>;
  private logins = 0;
  private refreshes = 0;

  constructor(
    private readonly credentials: Credentials,
    private readonly logger: Logger,
    private readonly options: TokenManagerOptions,
  ) {
    this.ratio = options.refreshBeforeExpiryRatio ?? DEFAULT_REFRESH_RATIO;
    this.maxWindowMs = options.maxRefreshWindowMs ?? DEFAULT_MAX_REFRESH_WINDOW_MS;
    this.now = options.now ?? Date.now;
    this.onGrant = options.onGrant ?? (() => undefined);
    this.negotiator = new RevisionNegotiator(options.apiVersion, logger, options.onRevision);
  }

  /** Where token calls go: the chain below the token interceptor (breaker, queue, pool). */
  useDispatch(dispatch: Dispatch): void {
    this.dispatch = dispatch;
  }

  /** Counts for metrics and tests: how many password logins and refreshes were made. */
  get stats(): { logins: number; refreshes: number } {
    return { logins: this.logins, refreshes: this.refreshes };
  }

  /** The revision in use; undefined before the first login when negotiating. */
  get revision(): string | undefined {
    return this.state?.revision ?? this.negotiator.revision;
  }

  get negotiating(): boolean {
    return this.negotiator.negotiating;
  }

  /** A token good for the next call. Starts a background refresh when the current one nears expiry. */
  async getSession(): Promise<SessionCredentials> {
    return this.heldSession() ?? this.renew();
  }

  /**
   * The session held now, if it is still good (renewed in the background when it nears expiry), or
   * undefined when a login or refresh must come first. Synchronous, so that a call can leave at once:
   * a dashboard's 50 calls would otherwise each wait a turn of the event loop behind the others.
   */
  heldSession(): SessionCredentials | undefined {
    const state = this.state;
    const now = this.now();
    if (state && now < state.refreshAt) return state;
    if (state && now < state.expiresAt) {
      // Still valid: serve it and renew behind the caller's back rather than making it wait.
      this.renew().catch((error: unknown) => {
        this.logger.warn({ err: describe(error) }, 'background token refresh failed; will retry on next use');
      });
      return state;
    }
    return undefined;
  }

  async getAccessToken(): Promise<string> {
    return (await this.getSession()).accessToken;
  }

  /** The revision in use, logging in (and negotiating) first when there is no session yet. */
  async currentRevision(): Promise<string> {
    return (await this.getSession()).revision;
  }

  /**
   * The appliance rejected `accessToken` (401): forget it so the next getSession() renews.
   * Only the token that failed is dropped: a caller holding an older token must not throw away a
   * newer one another caller already obtained.
   */
  invalidate(accessToken: string): void {
    if (this.state?.accessToken === accessToken) {
      this.state = { ...this.state, expiresAt: 0, refreshAt: 0 };
    }
  }

  /**
   * A data call was refused for its revision (the appliance was upgraded or downgraded): the next
   * call logs in again and negotiates afresh. Pinned, the refusal stands and is reported.
   */
  revisionRefused(revision: string): void {
    this.negotiator.forget(revision);
    if (this.state?.revision === revision) this.state = undefined;
    this.logger.warn({ revision }, 'Veeam API refused the API revision in use; renegotiating at the next call');
  }

  /** Whether a token is held right now (for readiness). */
  hasValidToken(): boolean {
    return this.state !== undefined && this.now() < this.state.expiresAt;
  }

  /** `DELETE /token` for the current session, on graceful shutdown. Never throws. */
  async logout(): Promise<void> {
    const state = this.state;
    this.state = undefined;
    if (!state || this.now() >= state.expiresAt || !this.dispatch) return;
    try {
      await this.send('DELETE', 'DELETE /token', state.revision, { authorization: `Bearer ${state.accessToken}` });
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
    const previous = this.state;
    if (previous?.refreshToken !== undefined) {
      try {
        const state = await this.grant({ grant_type: 'refresh_token', refresh_token: previous.refreshToken }, previous.revision);
        this.refreshes += 1;
        return this.adopt(state);
      } catch (error) {
        if (refusesRevision(error, previous.revision)) this.negotiator.reset();
        // An expired/revoked refresh token is normal (refresh lifetime is finite): log in again.
        this.logger.info({ err: describe(error) }, 'token refresh failed; logging in with the password grant');
      }
    }
    const state = await this.login();
    this.logins += 1;
    return this.adopt(state);
  }

  /** The password grant at the first revision the appliance accepts. */
  private login(): Promise<TokenState> {
    const form = { grant_type: 'password', username: this.credentials.username, password: this.credentials.password };
    return this.negotiator.negotiate(
      (revision) => this.grant(form, revision),
      (error) => this.toLoginError(error),
    );
  }

  private adopt(state: TokenState): TokenState {
    this.state = state;
    return state;
  }

  private async grant(form: Record<string, string>, revision: string): Promise<TokenState> {
    const grant = form['grant_type'] === 'refresh_token' ? 'refresh_token' : 'password';
    try {
      const body = await this.send<TokenResponseDto>(
        'POST',
        TOKEN_ENDPOINT,
        revision,
        { 'content-type': 'application/x-www-form-urlencoded' },
        new URLSearchParams(form).toString(),
      );
      const state = this.toState(body, revision);
      this.onGrant(grant, 'success');
      return state;
    } catch (error) {
      this.onGrant(grant, 'failure');
      if (grant === 'refresh_token' && error instanceof UpstreamHttpError && error.status < 500) {
        throw new UpstreamAuthError('TOKEN_ENDPOINT_FAILED', `Veeam API refused the refresh token (${error.status})`, {
          status: error.status,
          cause: error,
        });
      }
      throw error;
    }
  }

  private async send<T>(
    method: 'POST' | 'DELETE',
    endpoint: string,
    revision: string,
    headers: Record<string, string>,
    body?: string,
  ): Promise<T | undefined> {
    if (!this.dispatch) throw new Error('TokenManager used before the upstream chain was composed');
    const response = await requestJson<T>(this.dispatch, {
      method,
      path: `${this.options.basePath}/token`,
      headers: { accept: 'application/json', 'x-api-version': revision, ...headers },
      body,
      // Token calls unblock every waiting data call: served first.
      upstream: { endpoint, priority: 'high' },
    });
    return response.body;
  }

  private toState(body: TokenResponseDto | undefined, revision: string): TokenState {
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
      revision,
      refreshToken: typeof body.refresh_token === 'string' && body.refresh_token !== '' ? body.refresh_token : undefined,
      expiresAt: issuedAt + lifetimeMs,
      refreshAt: issuedAt + lifetimeMs - window,
    };
  }

  /**
   * A failed password login, named by its cause. No answer at all (refused, DNS, TLS, timeout) is
   * not a login failure and passes through as the network error it is.
   */
  private toLoginError(error: unknown): Error {
    if (!(error instanceof UpstreamHttpError)) return error instanceof Error ? error : new Error(String(error));
    const { status } = error;
    const user = this.credentials.username;
    const code = error.errorCode ? ` ${error.errorCode}` : '';
    if (status === 403) {
      return new UpstreamAuthError('FORBIDDEN', `Veeam account "${user}" may not use the REST API (403${code}); give it a REST API role.`, {
        status,
        cause: error,
      });
    }
    if (status === 401 || (status < 500 && namesCredentials(error))) {
      return new UpstreamAuthError(
        'BAD_CREDENTIALS',
        `Veeam API rejected the credentials of user "${user}" (${status}${code}); check VEEAM_USERNAME and the password.`,
        { status, cause: error },
      );
    }
    return new UpstreamAuthError('TOKEN_ENDPOINT_FAILED', `Veeam API login failed: ${error.message}`, { status, cause: error });
  }
}

/** A 400/403 whose problem says the user or password is wrong (not the revision, not the form). */
function namesCredentials(error: UpstreamHttpError): boolean {
  const text = [error.errorCode, error.problemType, error.problemTitle].join(' ');
  return /access.?denied|credential|password|invalid.?grant|unauthori[sz]ed/i.test(text);
}

/**
 * Token lifetime from `expires_in` (seconds), else from `.expires`: counted from `.issued` when the
 * answer has both (the appliance's own clock on both ends, so a skew between its clock and the
 * gateway's does not shorten or stretch it), else from now. Both are read with the one upstream time
 * parser (time.ts); an unreadable or DateTime.MinValue time counts as absent. With neither, the token
 * is kept until the appliance rejects it: a 401 then renews it, which beats guessing a constant.
 */
function lifetimeOf(body: TokenResponseDto, issuedAt: number): number {
  if (typeof body.expires_in === 'number' && body.expires_in > 0) return body.expires_in * 1000;
  const expires = tokenTime(body['.expires']);
  if (expires !== undefined) {
    const issued = tokenTime(body['.issued']) ?? issuedAt;
    if (expires > issued) return expires - issued;
  }
  return Number.MAX_SAFE_INTEGER / 2;
}

function tokenTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return upstreamTimeToEpochMs(value);
  } catch {
    return undefined;
  }
}

/** A log-safe description of an error: its class, code and message (which never hold secrets). */
export function describe(error: unknown): { type: string; code?: string; message: string } {
  if (error instanceof Error) {
    const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
    return { type: error.name, ...(code ? { code } : {}), message: error.message };
  }
  return { type: typeof error, message: 'non-error thrown' };
}
