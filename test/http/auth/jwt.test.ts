/**
 * AUTH_MODE=jwt against a JWKS served by the test on 127.0.0.1: who the client is, every way a
 * token is refused (pinned messages and RFC 6750 challenges, the token never echoed), and key
 * rotation within jose's cooldown.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import { AuthError, createAuthenticator, type Authenticator } from '../../../src/http/auth/index';
import { CLOCK_TOLERANCE_S, JWKS_COOLDOWN_MS } from '../../../src/http/auth/jwt';

const ISSUER = 'https://issuer.test/realms/backup';
const AUDIENCE = 'veeam-gateway';

const CHALLENGE = 'Bearer realm="veeam-graphql-gateway"';
const INVALID_CHALLENGE = 'Bearer realm="veeam-graphql-gateway", error="invalid_token"';

/** A JWKS endpoint whose key list and status the tests change, counting the fetches it answers. */
interface JwksServer {
  url: string;
  keys: JWK[];
  /** Raw body to serve instead of `{ keys }` (a malformed key set). */
  body: string | undefined;
  status: number;
  fetches: number;
  close(): Promise<void>;
}

async function startJwks(): Promise<JwksServer> {
  const state = { keys: [] as JWK[], body: undefined as string | undefined, status: 200, fetches: 0 };
  const server: Server = createServer((_req, res) => {
    state.fetches += 1;
    res.writeHead(state.status, { 'content-type': 'application/json' });
    res.end(state.body ?? JSON.stringify({ keys: state.keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  return Object.assign(state, {
    url,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

interface SigningKey {
  kid: string;
  privateKey: KeyLike;
  publicKey: KeyLike;
  jwk: JWK;
}

async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  return { kid, privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

interface TokenOptions {
  key?: SigningKey;
  /** Sign with this private key while naming `key`'s kid. */
  signWith?: KeyLike;
  kid?: string;
  issuer?: string;
  audience?: string;
  /** Seconds from now; negative = in the past. */
  expiresIn?: number;
  notBefore?: number;
}

const now = (): number => Math.floor(Date.now() / 1000);
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('JWT authentication', () => {
  let jwks: JwksServer;
  let k1: SigningKey;
  let stranger: SigningKey;
  let authenticator: Authenticator;

  const jwtSettings = () => ({ issuer: ISSUER, audience: AUDIENCE, jwksUrl: jwks.url });

  const token = (claims: Record<string, unknown>, options: TokenOptions = {}): Promise<string> => {
    const key = options.key ?? k1;
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: options.kid ?? key.kid })
      .setIssuer(options.issuer ?? ISSUER)
      .setAudience(options.audience ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(now() + (options.expiresIn ?? 300));
    if (options.notBefore !== undefined) jwt.setNotBefore(now() + options.notBefore);
    return jwt.sign(options.signWith ?? key.privateKey);
  };

  const bearer = async (claims: Record<string, unknown>, options?: TokenOptions) => ({
    authorization: `Bearer ${await token(claims, options)}`,
  });

  async function refusal(headers: Record<string, string | undefined>, using = authenticator): Promise<AuthError> {
    const error: unknown = await using.authenticate(headers).then(
      (identity) => new Error(`expected a refusal, got ${JSON.stringify(identity)}`),
      (rejection: unknown) => rejection,
    );
    if (!(error instanceof AuthError)) throw error;
    expect(error).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    // Neither the token nor any of its parts ends up in what the client or the logs see.
    for (const part of (headers['authorization'] ?? '').replace(/^\w+ /, '').split('.')) {
      if (part.length >= 8) expect(`${error.message} ${error.wwwAuthenticate ?? ''}`).not.toContain(part);
    }
    return error;
  }

  beforeAll(async () => {
    jwks = await startJwks();
    k1 = await signingKey('k1');
    stranger = await signingKey('stranger');
    jwks.keys = [k1.jwk];
    authenticator = createAuthenticator({ mode: 'jwt', jwt: jwtSettings() });
  });

  afterAll(() => jwks.close());

  describe('the client identity', () => {
    it('is the subject of a valid token', async () => {
      expect(authenticator.mode).toBe('jwt');
      await expect(authenticator.authenticate(await bearer({ sub: 'grafana' }))).resolves.toEqual({ id: 'grafana', mode: 'jwt' });
    });

    // A client-credentials token names the client in azp (OIDC) or client_id (RFC 9068); a user's
    // token obtained through a client names it in azp too. Rate limits and logs are per client
    // application, so that claim wins over the subject when present.
    it.each([
      [{ sub: 'user-42', azp: 'dashboard' }, 'dashboard'],
      [{ sub: 'service-account-7', client_id: 'reports' }, 'reports'],
      [{ sub: 'user-42', azp: 'dashboard', client_id: 'reports' }, 'dashboard'],
      [{ azp: 'dashboard' }, 'dashboard'],
      [{ sub: 'user-42', azp: '' }, 'user-42'],
      [{ sub: 'user-42', azp: 17 }, 'user-42'],
    ])('for %j is %s', async (claims, id) => {
      await expect(authenticator.authenticate(await bearer(claims))).resolves.toEqual({ id, mode: 'jwt' });
    });

    it(`tolerates ${CLOCK_TOLERANCE_S} s of clock skew, not more`, async () => {
      expect(CLOCK_TOLERANCE_S).toBe(30);
      await expect(authenticator.authenticate(await bearer({ sub: 'skewed' }, { expiresIn: -10 }))).resolves.toEqual({
        id: 'skewed',
        mode: 'jwt',
      });
      await expect(authenticator.authenticate(await bearer({ sub: 'early' }, { notBefore: 10 }))).resolves.toEqual({
        id: 'early',
        mode: 'jwt',
      });
      expect((await refusal(await bearer({ sub: 'skewed' }, { expiresIn: -45 }))).message).toBe('Invalid token: expired');
      expect((await refusal(await bearer({ sub: 'early' }, { notBefore: 45 }))).message).toBe('Invalid token: claim "nbf" is not accepted');
    });
  });

  describe('refuses', () => {
    it.each([
      ['no Authorization header', {}],
      ['an empty Authorization header', { authorization: '' }],
    ])('%s, with a bare challenge', async (_case, headers) => {
      const error = await refusal(headers);
      expect(error.message).toBe('Missing bearer token (send Authorization: Bearer <JWT>)');
      expect(error.wwwAuthenticate).toBe(CHALLENGE);
    });

    // Each case builds its headers lazily: the keys exist only once beforeAll has run.
    const cases: Array<[string, () => Promise<Record<string, string>> | Record<string, string>, string]> = [
      ['a token without the Bearer scheme', async () => ({ authorization: await token({ sub: 'x' }) }), 'Invalid token: not a bearer JWT'],
      ['Basic credentials', () => ({ authorization: 'Basic Zm9vOmJhcg==' }), 'Invalid token: not a bearer JWT'],
      ['a bearer value that is not a JWT', () => ({ authorization: 'Bearer opaque-access-token-123' }), 'Invalid token: not a bearer JWT'],
      [
        'two tokens in one header',
        async () => ({ authorization: `Bearer ${await token({ sub: 'x' })} ${await token({ sub: 'y' })}` }),
        'Invalid token: not a bearer JWT',
      ],
      [
        'a JWT-shaped value that does not decode',
        () => ({ authorization: 'Bearer aaaaaaaaaa.bbbbbbbbbb.cccccccccc' }),
        'Invalid token: malformed',
      ],
      [
        'a header that is not JSON',
        () => ({ authorization: `Bearer ${Buffer.from('not json').toString('base64url')}.${b64({ sub: 'x' })}.c2lnbmF0dXJl` }),
        'Invalid token: malformed',
      ],
      ['an expired token', () => bearer({ sub: 'x' }, { expiresIn: -120 }), 'Invalid token: expired'],
      [
        'a token from another issuer',
        () => bearer({ sub: 'x' }, { issuer: 'https://evil.test' }),
        'Invalid token: claim "iss" is not accepted',
      ],
      [
        'a token for another audience',
        () => bearer({ sub: 'x' }, { audience: 'some-other-api' }),
        'Invalid token: claim "aud" is not accepted',
      ],
      ['a token not valid yet', () => bearer({ sub: 'x' }, { notBefore: 600 }), 'Invalid token: claim "nbf" is not accepted'],
      [
        'a token signed by another key under a published kid',
        () => bearer({ sub: 'x' }, { signWith: stranger.privateKey }),
        'Invalid token: bad signature',
      ],
      [
        'a token whose payload was changed after signing',
        async () => {
          const [header, , signature] = (await token({ sub: 'reader' })).split('.');
          return { authorization: `Bearer ${header}.${b64({ sub: 'admin', iss: ISSUER, aud: AUDIENCE, exp: now() + 300 })}.${signature}` };
        },
        'Invalid token: bad signature',
      ],
      [
        'a token signed by a key the issuer never published',
        () => bearer({ sub: 'x' }, { key: stranger }),
        'Invalid token: signed with an unknown key',
      ],
      [
        'an unsigned token (alg: none)',
        () => ({
          authorization: `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'x', iss: ISSUER, aud: AUDIENCE, exp: now() + 300 })}.`,
        }),
        'Invalid token: algorithm not allowed',
      ],
      [
        'an HS256 token whose secret is the public key (algorithm confusion)',
        async () => {
          const secret = new TextEncoder().encode(await exportSPKI(k1.publicKey));
          const forged = await new SignJWT({ sub: 'x' })
            .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
            .setIssuer(ISSUER)
            .setAudience(AUDIENCE)
            .setExpirationTime('5m')
            .sign(secret);
          return { authorization: `Bearer ${forged}` };
        },
        'Invalid token: algorithm not allowed',
      ],
      // Issue 12: a token without exp would be valid forever.
      [
        'a token without exp',
        async () => {
          const forever = await new SignJWT({ sub: 'x' })
            .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: k1.kid })
            .setIssuer(ISSUER)
            .setAudience(AUDIENCE)
            .setIssuedAt()
            .sign(k1.privateKey);
          return { authorization: `Bearer ${forever}` };
        },
        'Invalid token: claim "exp" is missing',
      ],
      [
        'a token valid for longer than the maximum age',
        () => bearer({ sub: 'x' }, { expiresIn: 2 * 86_400 }),
        'Invalid token: it lives longer than the gateway accepts (JWT_MAX_TOKEN_AGE_S)',
      ],
      [
        'a token issued longer ago than the maximum age, whatever its exp',
        async () => {
          const old = await new SignJWT({ sub: 'x' })
            .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: k1.kid })
            .setIssuer(ISSUER)
            .setAudience(AUDIENCE)
            .setIssuedAt(now() - 2 * 86_400)
            .setExpirationTime(now() + 300)
            .sign(k1.privateKey);
          return { authorization: `Bearer ${old}` };
        },
        'Invalid token: it lives longer than the gateway accepts (JWT_MAX_TOKEN_AGE_S)',
      ],
      ['a token with no subject and no client claim', () => bearer({}), 'Invalid token: no subject'],
      ['a token whose subject is empty', () => bearer({ sub: '' }), 'Invalid token: no subject'],
    ];

    it.each(cases)('%s, with error="invalid_token"', async (_case, headers, message) => {
      const error = await refusal(await headers());
      expect(error.message).toBe(message);
      expect(error.wwwAuthenticate).toBe(INVALID_CHALLENGE);
    });
  });

  describe('key rotation', () => {
    it('accepts a token signed with a newly published key once the cooldown allows a refetch', async () => {
      const rotating = await startJwks();
      try {
        const old = await signingKey('2024-old');
        const next = await signingKey('2025-new');
        rotating.keys = [old.jwk];
        const fast = createAuthenticator({ mode: 'jwt', jwt: { ...jwtSettings(), jwksUrl: rotating.url } }, { jwksCooldownMs: 0 });
        await expect(fast.authenticate(await bearer({ sub: 'a' }, { key: old }))).resolves.toEqual({ id: 'a', mode: 'jwt' });
        await expect(fast.authenticate(await bearer({ sub: 'a' }, { key: old }))).resolves.toEqual({ id: 'a', mode: 'jwt' });
        expect(rotating.fetches).toBe(1); // the key set is cached between tokens

        rotating.keys = [old.jwk, next.jwk];
        await expect(fast.authenticate(await bearer({ sub: 'b' }, { key: next }))).resolves.toEqual({ id: 'b', mode: 'jwt' });
        expect(rotating.fetches).toBe(2);

        rotating.keys = [next.jwk]; // the old key is retired: the cached set still holds it until a refetch
        await expect(fast.authenticate(await bearer({ sub: 'c' }, { key: next }))).resolves.toEqual({ id: 'c', mode: 'jwt' });
        expect(rotating.fetches).toBe(2);
      } finally {
        await rotating.close();
      }
    });

    it(`refetches for unknown keys at most once per cooldown (${JWKS_COOLDOWN_MS} ms by default)`, async () => {
      const rotating = await startJwks();
      // jose times its cooldown with Date.now(); jwtVerify's exp/nbf checks use new Date(), untouched.
      let offsetMs = 0;
      const realNow = Date.now.bind(Date);
      const clock = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + offsetMs);
      try {
        const old = await signingKey('2024-old');
        const next = await signingKey('2025-new');
        rotating.keys = [old.jwk];
        const slow = createAuthenticator({ mode: 'jwt', jwt: { ...jwtSettings(), jwksUrl: rotating.url } });
        await expect(slow.authenticate(await bearer({ sub: 'a' }, { key: old }))).resolves.toEqual({ id: 'a', mode: 'jwt' });
        expect(rotating.fetches).toBe(1);

        rotating.keys = [old.jwk, next.jwk];
        // A flood of tokens naming unknown kids does not turn into a flood of fetches at the issuer.
        for (const kid of ['2025-new', 'bogus-1', 'bogus-2']) {
          const error = await refusal(await bearer({ sub: 'b' }, { key: next, kid }), slow);
          expect(error.message).toBe('Invalid token: signed with an unknown key');
        }
        expect(rotating.fetches).toBe(1);

        offsetMs = JWKS_COOLDOWN_MS + 1;
        await expect(slow.authenticate(await bearer({ sub: 'b' }, { key: next }))).resolves.toEqual({ id: 'b', mode: 'jwt' });
        expect(rotating.fetches).toBe(2);
      } finally {
        clock.mockRestore();
        await rotating.close();
      }
    });
  });

  describe('when the key set cannot be had', () => {
    let broken: JwksServer;

    beforeEach(async () => {
      broken = await startJwks();
    });
    afterEach(() => broken.close());

    const refusedBy = async (server: JwksServer) => {
      const failing = createAuthenticator({ mode: 'jwt', jwt: { ...jwtSettings(), jwksUrl: server.url } }, { jwksCooldownMs: 0 });
      const error = await refusal(await bearer({ sub: 'x' }), failing);
      expect(error.wwwAuthenticate).toBe(INVALID_CHALLENGE);
      expect(error.message).not.toContain(server.url);
      expect(error.message).not.toContain('127.0.0.1');
      return error.message;
    };

    it('refuses tokens when the issuer serves a malformed key set', async () => {
      broken.body = JSON.stringify({ keys: 'not a list' });
      expect(await refusedBy(broken)).toBe('Invalid token: the key set could not be fetched');
    });

    // Pinned as built: an HTTP error from the issuer is reported as "not verifiable", not as "could
    // not be fetched"; either way a 401 that names neither the issuer nor its URL.
    it('refuses tokens when the issuer answers with an error status', async () => {
      broken.status = 503;
      expect(await refusedBy(broken)).toBe('Invalid token: not verifiable');
    });

    it('recovers once the issuer serves its keys again', async () => {
      broken.status = 503;
      await refusedBy(broken);
      const recovering = createAuthenticator({ mode: 'jwt', jwt: { ...jwtSettings(), jwksUrl: broken.url } }, { jwksCooldownMs: 0 });
      await refusal(await bearer({ sub: 'x' }), recovering);
      broken.status = 200;
      broken.keys = [k1.jwk];
      await expect(recovering.authenticate(await bearer({ sub: 'x' }))).resolves.toEqual({ id: 'x', mode: 'jwt' });
    });
  });
});
