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
});
