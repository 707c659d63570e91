/**
 * The appliance's token store: password and refresh-token grants, expiry by TTL, rotation of
 * refresh tokens (single use), logout. Tokens are opaque random strings.
 */
import { randomBytes } from 'node:crypto';

interface Session {
  access: string;
  refresh: string;
  accessExpiresAt: number;
  refreshExpiresAt: number;
  revoked: boolean;
  refreshUsed: boolean;
}

export type AccessCheck = 'ok' | 'expired' | 'invalid';

export interface IssuedPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  issuedAt: number;
  expiresAt: number;
}

const newToken = (): string => randomBytes(32).toString('base64url');

export class TokenStore {
  private readonly byAccess = new Map<string, Session>();
  private readonly byRefresh = new Map<string, Session>();
  private readonly issued: string[] = [];

  constructor(
    private readonly accessTtlSeconds: number,
    private readonly refreshTtlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  issue(): IssuedPair {
    const issuedAt = this.now();
    const session: Session = {
      access: newToken(),
      refresh: newToken(),
      accessExpiresAt: issuedAt + this.accessTtlSeconds * 1000,
      refreshExpiresAt: issuedAt + this.refreshTtlSeconds * 1000,
      revoked: false,
      refreshUsed: false,
    };
    this.byAccess.set(session.access, session);
    this.byRefresh.set(session.refresh, session);
    this.issued.push(session.access, session.refresh);
    return {
      accessToken: session.access,
      refreshToken: session.refresh,
      expiresIn: this.accessTtlSeconds,
      issuedAt,
      expiresAt: session.accessExpiresAt,
    };
  }

  /**
   * The first step of an MFA login: a token that grants nothing here (the mfa grant is not
   * simulated), but is a secret all the same, so it is listed among the issued tokens.
   */
  issueMfaToken(): string {
    const token = newToken();
    this.issued.push(token);
    return token;
  }

  checkAccess(token: string): AccessCheck {
    const session = this.byAccess.get(token);
    if (!session || session.revoked) return 'invalid';
    return this.now() >= session.accessExpiresAt ? 'expired' : 'ok';
  }

  /** A new pair for a valid refresh token, which is then spent (rotation). */
  refresh(token: string): IssuedPair | undefined {
    const session = this.byRefresh.get(token);
    if (!session || session.revoked || session.refreshUsed || this.now() >= session.refreshExpiresAt) return undefined;
    session.refreshUsed = true;
    return this.issue();
  }

  logout(accessToken: string): boolean {
    const session = this.byAccess.get(accessToken);
    if (!session || session.revoked) return false;
    session.revoked = true;
    return true;
  }

  expireAccessTokens(): void {
    for (const session of this.byAccess.values()) session.accessExpiresAt = Math.min(session.accessExpiresAt, this.now());
  }

  revokeRefreshTokens(): void {
    for (const session of this.byRefresh.values()) session.refreshUsed = true;
  }

  activeAccessTokens(): number {
    const now = this.now();
    let count = 0;
    for (const session of this.byAccess.values()) if (!session.revoked && now < session.accessExpiresAt) count += 1;
    return count;
  }

  issuedTokens(): string[] {
    return [...this.issued];
  }
}
