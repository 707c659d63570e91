/**
 * `POST /api/v1/token` (password and refresh-token grants, form-encoded only) and
 * `DELETE /api/v1/token` (logout), as the spec describes the appliance's.
 */
import type { TokenResponseDto } from '../upstream/dto';
import type { RecordedRequest } from './counters';
import type { Responder, SimulatorResponse } from './responses';
import { bearerToken, readBody, type SimulatorRequest } from './routes';
import type { TokenStore } from './tokens';

/** RESTLogin's `.issued` and `.expires` are `format: date-time` in the spec: RFC 3339, in UTC. */
function specDateTime(ms: number): string {
  return new Date(ms).toISOString();
}

export interface TokenEndpointDeps {
  tokens: TokenStore;
  respond: Responder;
  username: string;
  password: string;
  /** Accounts answered with an mfa_token instead of tokens. */
  mfaUsers: Record<string, string>;
}

export async function handleToken(
  req: SimulatorRequest,
  res: SimulatorResponse,
  entry: RecordedRequest,
  deps: TokenEndpointDeps,
): Promise<void> {
  const { tokens, respond, username, password, mfaUsers } = deps;
  const send = respond.send.bind(respond);
  const sendProblem = respond.problem.bind(respond);
  if (req.method === 'DELETE') {
    const token = bearerToken(req.headers.authorization);
    if (!token || tokens.checkAccess(token) !== 'ok' || !tokens.logout(token)) {
      return sendProblem(res, entry, 'invalidAccessToken', 'The access token is missing, invalid or expired.');
    }
    return send(res, entry, 204);
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  const text = await readBody(req);
  if (type !== 'application/x-www-form-urlencoded' || text === undefined) {
    return sendProblem(res, entry, 'unexpectedContent', 'The token request must be application/x-www-form-urlencoded.');
  }
  const form = new URLSearchParams(text);
  const grant = form.get('grant_type');
  const pair = (() => {
    if (grant === 'password') {
      const user = form.get('username') ?? '';
      const pass = form.get('password') ?? '';
      if (mfaUsers[user] !== undefined && mfaUsers[user] === pass) return 'mfa' as const;
      return user === username && pass === password ? tokens.issue() : undefined;
    }
    if (grant === 'refresh_token') return tokens.refresh(form.get('refresh_token') ?? '');
    return null;
  })();
  if (pair === null) return sendProblem(res, entry, 'validationError', 'grant_type must be password or refresh_token.');
  if (pair === 'mfa') {
    return send(res, entry, 200, { mfa_enabled: true, mfa_token: tokens.issueMfaToken() } satisfies TokenResponseDto);
  }
  if (!pair) {
    return grant === 'password'
      ? sendProblem(res, entry, 'accessDenied', 'Invalid user name or password.')
      : sendProblem(res, entry, 'invalidAccessToken', 'The refresh token is invalid or expired.');
  }
  const body: TokenResponseDto = {
    access_token: pair.accessToken,
    token_type: 'bearer',
    refresh_token: pair.refreshToken,
    expires_in: pair.expiresIn,
    '.issued': specDateTime(pair.issuedAt),
    '.expires': specDateTime(pair.expiresAt),
    username,
    roleName: 'Portal Administrator',
    mfa_enabled: false,
  };
  return send(res, entry, 200, body);
}
