/** Upstream JSON: integers past 2^53 are refused, long digit runs inside strings are not. */
import { UpstreamBadResponseError } from '../../src/upstream/errors';
import { parseJson } from '../../src/upstream/transport';

describe('parseJson', () => {
  it('reads a log message whose text holds a long number', () => {
    const body = '{"log":[{"message":"Volume ids: 12345678901234567890, 98765432109876543210","status":"Success"}]}';
    expect(parseJson<{ log: Array<{ message: string }> }>(body, 'GET /sessions/{id}/log')?.log[0]?.message).toContain(
      '12345678901234567890',
    );
  });

  it('refuses an integer it cannot keep exact', () => {
    expect(() => parseJson('{"usn": 9007199254740993}', 'GET /sessions')).toThrow(UpstreamBadResponseError);
  });

  it('keeps the largest exact integer', () => {
    expect(parseJson<{ usn: number }>('{"usn": 9007199254740991}', 'GET /sessions')?.usn).toBe(9007199254740991);
  });

  it.each([
    ['nested in an array of objects', '{"results":[{"usn":1},{"_embedded":{"x":[1,2,-9007199254740993]}}]}'],
    ['written with an exponent', '{"executionDuration": 1e300}'],
    ['at the top level', '9007199254740993'],
  ])('finds one %s', (_where, body) => {
    expect(() => parseJson(body, 'GET /sessions')).toThrow(/exceeds 2\^53 - 1/);
  });

  it('walks a body nested deeper than the call stack without overflowing it', () => {
    const depth = 200_000;
    const body = `${'['.repeat(depth)}9007199254740993${']'.repeat(depth)}`;
    expect(() => parseJson(body, 'GET /sessions')).toThrow(UpstreamBadResponseError);
  });

  it('leaves fractions and safe integers alone', () => {
    expect(parseJson('{"a":[0.5,-1,1e15,9007199254740991.0]}', 'GET /sessions')).toEqual({ a: [0.5, -1, 1e15, 9007199254740991] });
  });
});
