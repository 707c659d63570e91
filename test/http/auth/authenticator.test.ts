/**
 * createAuthenticator: the mode it was asked for, AUTH_MODE=none spelled out, settings that cannot
 * work refused at start-up rather than at the first request, and the AuthError contract.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AUTH_NONE_WARNING, AuthError, createAuthenticator, isAuthError } from '../../../src/http/auth/index';

describe('createAuthenticator', () => {
  it('admits everyone as "anonymous" with AUTH_MODE=none, whatever they send', async () => {
    const open = createAuthenticator({ mode: 'none' });
    expect(open.mode).toBe('none');
    await expect(open.authenticate({})).resolves.toEqual({ id: 'anonymous', mode: 'none' });
    await expect(open.authenticate({ 'x-api-key': 'anything', authorization: 'Bearer x.y.z' })).resolves.toEqual({
      id: 'anonymous',
      mode: 'none',
    });
  });

  it('has a warning for the server to log when it runs open', () => {
    expect(AUTH_NONE_WARNING).toBe(
      'AUTH_MODE=none: every client that reaches this port can read all backup sessions; use apikey or jwt outside a demo',
    );
  });

  it('refuses settings that name a mode without what the mode needs', () => {
    expect(() => createAuthenticator({ mode: 'apikey' })).toThrow(new Error('AUTH_MODE=apikey needs API_KEYS_FILE'));
    expect(() => createAuthenticator({ mode: 'jwt' })).toThrow(new Error('AUTH_MODE=jwt needs JWT_ISSUER, JWT_AUDIENCE and JWT_JWKS_URL'));
  });

  it('does not contact the issuer until the first token arrives', async () => {
    // An issuer that is down at start-up must not stop the gateway from starting (health checks answer meanwhile).
    let fetches = 0;
    const issuer = createServer((_req, res) => {
      fetches += 1;
      res.end('{"keys":[]}');
    });
    await new Promise<void>((resolve) => issuer.listen(0, '127.0.0.1', resolve));
    try {
      const jwksUrl = `http://127.0.0.1:${(issuer.address() as AddressInfo).port}/jwks`;
      const jwt = createAuthenticator({ mode: 'jwt', jwt: { issuer: 'https://issuer.test', audience: 'gw', jwksUrl } });
      expect(jwt.mode).toBe('jwt');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(fetches).toBe(0);
      await expect(jwt.authenticate({ authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln' })).rejects.toThrow(AuthError);
      expect(fetches).toBe(1);
    } finally {
      await new Promise<void>((resolve) => issuer.close(() => resolve()));
    }
  });
});

describe('AuthError', () => {
  it('carries a 401, a stable code and an optional challenge', () => {
    const error = new AuthError('Invalid API key', undefined);
    expect(error).toBeInstanceOf(Error);
    expect(isAuthError(error)).toBe(true);
    expect(isAuthError(new Error('Invalid API key'))).toBe(false);
    expect({ ...error, name: error.name, message: error.message }).toEqual({
      name: 'AuthError',
      message: 'Invalid API key',
      status: 401,
      code: 'UNAUTHENTICATED',
      wwwAuthenticate: undefined,
    });
    expect(new AuthError('Missing bearer token', 'Bearer realm="x"').wwwAuthenticate).toBe('Bearer realm="x"');
  });
});
