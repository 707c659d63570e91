/**
 * readAuthSettings: every problem message, each naming the variable; all problems at once; an
 * absent AUTH_MODE left to the caller (demo mode runs open, an appliance requires a choice).
 */
import { readAuthSettings } from '../../../src/http/auth/index';

const JWT = {
  AUTH_MODE: 'jwt',
  JWT_ISSUER: 'https://login.example.com/realms/backup',
  JWT_AUDIENCE: 'veeam-gateway',
  JWT_JWKS_URL: 'https://login.example.com/realms/backup/protocol/openid-connect/certs',
};

describe('readAuthSettings', () => {
  it.each([
    ['absent', {}],
    ['empty', { AUTH_MODE: '' }],
  ])('leaves the decision to the caller when AUTH_MODE is %s', (_case, env) => {
    expect(readAuthSettings(env)).toEqual({ problems: [] });
    expect(readAuthSettings({ ...env, API_KEYS_FILE: '/etc/keys', JWT_ISSUER: 'x' })).toEqual({ problems: [] });
  });

  it('reads AUTH_MODE=none, which only an explicit setting turns on', () => {
    expect(readAuthSettings({ AUTH_MODE: 'none' })).toEqual({ settings: { mode: 'none' }, problems: [] });
  });

  it('reads AUTH_MODE=apikey with its keys file', () => {
    expect(readAuthSettings({ AUTH_MODE: 'apikey', API_KEYS_FILE: '/run/secrets/api-keys' })).toEqual({
      settings: { mode: 'apikey', apiKeysFile: '/run/secrets/api-keys' },
      problems: [],
    });
  });

  it('reads AUTH_MODE=jwt with its issuer, audience and key set', () => {
    expect(readAuthSettings(JWT)).toEqual({
      settings: { mode: 'jwt', jwt: { issuer: JWT.JWT_ISSUER, audience: JWT.JWT_AUDIENCE, jwksUrl: JWT.JWT_JWKS_URL } },
      problems: [],
    });
  });

  it.each(['http://localhost:8080/jwks', 'http://127.0.0.1:8080/jwks', 'http://[::1]:8080/jwks'])(
    'accepts plain http for a key set on loopback (%s)',
    (url) => {
      expect(readAuthSettings({ ...JWT, JWT_JWKS_URL: url })).toMatchObject({ settings: { jwt: { jwksUrl: url } }, problems: [] });
    },
  );

  it.each<[string, Record<string, string>, string[]]>([
    ['an unknown mode', { AUTH_MODE: 'basic' }, ['AUTH_MODE must be apikey, jwt or none']],
    ['a mode in capitals', { AUTH_MODE: 'APIKEY' }, ['AUTH_MODE must be apikey, jwt or none']],
    ['apikey without a file', { AUTH_MODE: 'apikey' }, ['API_KEYS_FILE is required when AUTH_MODE=apikey']],
    ['apikey with an empty file name', { AUTH_MODE: 'apikey', API_KEYS_FILE: '' }, ['API_KEYS_FILE is required when AUTH_MODE=apikey']],
    [
      'jwt with nothing else',
      { AUTH_MODE: 'jwt' },
      [
        'JWT_ISSUER is required when AUTH_MODE=jwt',
        'JWT_AUDIENCE is required when AUTH_MODE=jwt',
        'JWT_JWKS_URL is required when AUTH_MODE=jwt',
      ],
    ],
    ['jwt with an empty issuer', { ...JWT, JWT_ISSUER: '' }, ['JWT_ISSUER is required when AUTH_MODE=jwt']],
    ['jwt with an empty audience', { ...JWT, JWT_AUDIENCE: '' }, ['JWT_AUDIENCE is required when AUTH_MODE=jwt']],
    ['a key set URL that is no URL', { ...JWT, JWT_JWKS_URL: 'login.example.com/certs' }, ['JWT_JWKS_URL must be a URL']],
    [
      'a key set over plain http',
      { ...JWT, JWT_JWKS_URL: 'http://login.example.com/certs' },
      ['JWT_JWKS_URL must use https:// (http:// only on loopback)'],
    ],
    [
      'a key set over another scheme',
      { ...JWT, JWT_JWKS_URL: 'ftp://login.example.com/certs' },
      ['JWT_JWKS_URL must use https:// (http:// only on loopback)'],
    ],
    [
      'a key set on a host merely named like loopback',
      { ...JWT, JWT_JWKS_URL: 'http://localhost.example.com/certs' },
      ['JWT_JWKS_URL must use https:// (http:// only on loopback)'],
    ],
    [
      'every jwt mistake at once',
      { AUTH_MODE: 'jwt', JWT_AUDIENCE: '', JWT_JWKS_URL: 'http://10.0.0.5/certs' },
      [
        'JWT_ISSUER is required when AUTH_MODE=jwt',
        'JWT_AUDIENCE is required when AUTH_MODE=jwt',
        'JWT_JWKS_URL must use https:// (http:// only on loopback)',
      ],
    ],
  ])('reports %s', (_case, env, problems) => {
    expect(readAuthSettings(env)).toEqual({ problems });
  });
});
