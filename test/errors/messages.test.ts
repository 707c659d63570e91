/**
 * Every public message, pinned verbatim (as dataloader's abuse.test does): clients, runbooks and
 * alert rules match on these, so a change must be a decision, not an accident. The mapping of
 * lower-layer failures is pinned directly; the HTTP refusals through a running gateway.
 */
import { request } from 'undici';
import { describeFailure } from '../../src/errors/public-error';
import { InvalidInputError } from '../../src/sessions/errors';
import { normalisePage, protectedItemsArgs, requireUuid, sessionFilter, sessionSort } from '../../src/sessions/normalise';
import {
  CircuitOpenError,
  UpstreamAbortedError,
  UpstreamAuthError,
  UpstreamBadResponseError,
  UpstreamHttpError,
  UpstreamNetworkError,
  UpstreamOverloadedError,
  UpstreamRevisionLacksError,
  UpstreamTimeoutError,
  UpstreamUnsupportedRevisionError,
} from '../../src/upstream/errors';
import { startStack, type Stack } from '../helpers/stack';

const endpoint = 'GET /sessions';
const http = (status: number, extra: { problemType?: string; details?: string } = {}) =>
  new UpstreamHttpError({ endpoint, status, ...extra });
const timeout = new DOMException('deadline', 'TimeoutError');

describe('public messages of upstream failures', () => {
  it.each<[string, unknown, string, string]>([
    ['404', http(404), 'NOT_FOUND', 'Not found on the Veeam appliance'],
    [
      '400 naming the API version',
      http(400, { problemType: 'https://x/problems/unsupportedApiVersion' }),
      'UPSTREAM_UNSUPPORTED_REVISION',
      'The Veeam appliance refused the API revision the gateway speaks',
    ],
    ['400', http(400), 'UPSTREAM_REJECTED', "The Veeam appliance refused the gateway's request as invalid"],
    ['401', http(401), 'UPSTREAM_AUTH_FAILED', "The Veeam appliance refused the gateway's token"],
    ['403', http(403), 'UPSTREAM_FORBIDDEN', "The gateway's Veeam account is not allowed to read this"],
    ['429', http(429), 'UPSTREAM_RATE_LIMITED', 'The Veeam appliance is rate-limiting the gateway'],
    ['503', http(503), 'UPSTREAM_UNAVAILABLE', 'The Veeam appliance is unavailable'],
    ['500', http(500), 'UPSTREAM_ERROR', 'The Veeam appliance failed (500)'],
    [
      'bad credentials',
      new UpstreamAuthError('BAD_CREDENTIALS', 'x', { status: 401 }),
      'UPSTREAM_AUTH_FAILED',
      "The Veeam appliance rejected the gateway's credentials (VEEAM_USERNAME, VEEAM_PASSWORD)",
    ],
    [
      'MFA',
      new UpstreamAuthError('MFA_REQUIRED', 'x'),
      'UPSTREAM_MFA_REQUIRED',
      "The gateway's Veeam account requires multi-factor authentication; it needs a service account without MFA",
    ],
    [
      'login forbidden',
      new UpstreamAuthError('FORBIDDEN', 'x', { status: 403 }),
      'UPSTREAM_FORBIDDEN',
      "The gateway's Veeam account may not use the REST API",
    ],
    [
      'login without token',
      new UpstreamAuthError('NO_TOKEN_IN_RESPONSE', 'x'),
      'UPSTREAM_BAD_RESPONSE',
      'The Veeam appliance answered the login without a token',
    ],
    [
      'token endpoint 503',
      new UpstreamAuthError('TOKEN_ENDPOINT_FAILED', 'x', { status: 503 }),
      'UPSTREAM_UNAVAILABLE',
      'The Veeam appliance is unavailable (login failed)',
    ],
    [
      'token endpoint 500',
      new UpstreamAuthError('TOKEN_ENDPOINT_FAILED', 'x', { status: 500 }),
      'UPSTREAM_ERROR',
      "The Veeam appliance failed the gateway's login (500)",
    ],
    [
      'revision lacks a feature',
      new UpstreamRevisionLacksError(endpoint, 'ParentSessionId', '1.7-rev0', '1.5-rev0'),
      'BAD_USER_INPUT',
      'ParentSessionId needs Veeam API revision 1.7-rev0; the appliance speaks 1.5-rev0',
    ],
    [
      'pinned revision refused',
      new UpstreamUnsupportedRevisionError(['1.0-rev0'], true),
      'UPSTREAM_UNSUPPORTED_REVISION',
      'The Veeam appliance refused API revision 1.0-rev0 (VEEAM_API_VERSION); use auto or a revision it accepts',
    ],
    [
      'no revision accepted',
      new UpstreamUnsupportedRevisionError(['1.8-rev0', '1.7-rev0'], false),
      'UPSTREAM_UNSUPPORTED_REVISION',
      'The Veeam appliance accepts none of the API revisions this gateway knows',
    ],
    [
      'TLS',
      new UpstreamNetworkError(endpoint, 'DEPTH_ZERO_SELF_SIGNED_CERT', null),
      'UPSTREAM_TLS_FAILED',
      "The Veeam appliance's certificate could not be verified (DEPTH_ZERO_SELF_SIGNED_CERT); set VEEAM_CA_FILE to its CA certificate",
    ],
    [
      'refused',
      new UpstreamNetworkError(endpoint, 'ECONNREFUSED', null),
      'UPSTREAM_UNREACHABLE',
      'The Veeam appliance is unreachable (ECONNREFUSED); check VEEAM_BASE_URL and the network',
    ],
    [
      'connect timeout',
      new UpstreamTimeoutError(endpoint, 'connect', null),
      'UPSTREAM_UNREACHABLE',
      'The Veeam appliance is unreachable (connect timeout)',
    ],
    [
      'headers timeout',
      new UpstreamTimeoutError(endpoint, 'headers', null),
      'UPSTREAM_TIMEOUT',
      'The Veeam appliance did not answer in time',
    ],
    ['deadline', new UpstreamAbortedError(endpoint, timeout), 'REQUEST_TIMEOUT', "The request exceeded the gateway's deadline"],
    ['client gone', new UpstreamAbortedError(endpoint, new Error('gone')), 'REQUEST_ABORTED', 'The request was aborted'],
    [
      'circuit open',
      new CircuitOpenError(endpoint, 5),
      'UPSTREAM_UNAVAILABLE',
      'The Veeam appliance is failing; the gateway is not calling it for a moment',
    ],
    [
      'queue full',
      new UpstreamOverloadedError(endpoint, 1000),
      'UPSTREAM_OVERLOADED',
      'Too many calls are waiting for the Veeam appliance; try again shortly',
    ],
    [
      'bad response',
      new UpstreamBadResponseError(endpoint, 'not JSON'),
      'UPSTREAM_BAD_RESPONSE',
      'The Veeam appliance sent an unusable response',
    ],
  ])('%s', (_name, error, code, message) => {
    expect(describeFailure(error)).toMatchObject({ code, message });
  });

  it('says nothing for what is not a lower-layer failure (a bug: masked by the caller)', () => {
    expect(describeFailure(new TypeError('boom'))).toBeUndefined();
  });
});

describe('public messages of invalid input', () => {
  const limits = { maxPageLimit: 1000, upstreamPageSize: 200, maxQueryCost: 500 };
  const refusal = (run: () => unknown): { message: string; argument: string | undefined } => {
    try {
      run();
    } catch (error) {
      if (error instanceof InvalidInputError) return { message: error.message, argument: error.argument };
      throw error;
    }
    throw new Error('not refused');
  };

  it.each<[string, () => unknown, string, string]>([
    ['a bad id', () => requireUuid('nope', 'id'), 'id must be a UUID, got "nope"', 'id'],
    ['a negative offset', () => normalisePage({ offset: -1 }, limits, 'page'), 'page.offset must be 0 or more, got -1', 'page.offset'],
    ['a negative limit', () => normalisePage({ limit: -1 }, limits, 'page'), 'page.limit must be 0 or more, got -1', 'page.limit'],
    [
      'a page too large',
      () => normalisePage({ limit: 1001 }, limits, 'page'),
      "page.limit must be at most 1000 (the gateway's MAX_PAGE_LIMIT), got 1001; page with offset instead",
      'page.limit',
    ],
    ['a repeated sort field', () => sessionSort([{ field: 'USN' }, { field: 'USN' }]), 'sort names a field more than once', 'sort'],
    ['UNKNOWN as a filter', () => sessionFilter({ status: ['UNKNOWN'] }), 'filter.status cannot filter on UNKNOWN', 'filter.status'],
    ['a bad vmId', () => sessionFilter({ vmId: 'a b' }), 'filter.vmId must be an instance id (letters, digits, - . _ :)', 'filter.vmId'],
    [
      'from after to',
      () => sessionFilter({ from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }),
      'filter.from (2026-02-01T00:00:00Z) is after filter.to (2026-01-01T00:00:00Z)',
      'filter.from',
    ],
    ['a long search', () => protectedItemsArgs({ search: 'x'.repeat(257) }, limits), 'search must be at most 256 characters', 'search'],
  ])('%s', (_name, run, message, argument) => {
    expect(refusal(run)).toEqual({ message, argument });
  });
});

describe('public messages of HTTP refusals', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { MAX_BODY_BYTES: '2048', MAX_QUERY_DEPTH: '3', MAX_QUERY_ALIASES: '1' } });
  });
  afterAll(async () => {
    await stack.close();
  });

  const post = async (body: string): Promise<{ status: number; errors: Array<{ message: string; extensions: { code: string } }> }> => {
    const response = await request(`${stack.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    return {
      status: response.statusCode,
      ...((await response.body.json()) as { errors: Array<{ message: string; extensions: { code: string } }> }),
    };
  };

  it.each<[string, string, number, string, string]>([
    [
      'a body too large',
      JSON.stringify({ query: `{ ${'x'.repeat(3000)} }` }),
      413,
      'PAYLOAD_TOO_LARGE',
      'Request body is larger than 2048 bytes',
    ],
    ['a body that is not JSON', '{"query":', 400, 'BAD_REQUEST', 'Request body is not valid JSON'],
    [
      'a query too deep',
      JSON.stringify({ query: '{ sessions { items { protectedItems { items { name } } } } }' }),
      400,
      'QUERY_TOO_DEEP',
      'This query is 5 levels deep; the limit is 3.',
    ],
    [
      'too many aliases',
      JSON.stringify({ query: '{ a: sessions { totalCount } b: sessions { totalCount } }' }),
      400,
      'TOO_MANY_ALIASES',
      'This query uses 2 aliases; the limit is 1.',
    ],
  ])('%s', async (_name, body, status, code, message) => {
    const answer = await post(body);
    expect(answer.status).toBe(status);
    expect(answer.errors[0]).toMatchObject({ message, extensions: { code } });
  });

  it('an unknown route', async () => {
    const response = await request(`${stack.gateway.url}/nowhere`);
    expect(response.statusCode).toBe(404);
    expect(await response.body.json()).toEqual({ errors: [{ message: 'No route for GET /nowhere', extensions: { code: 'NOT_FOUND' } }] });
  });
});
