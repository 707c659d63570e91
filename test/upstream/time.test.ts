import { toUtcIso, upstreamTimeToEpochMs } from '../../src/upstream/time';

describe('toUtcIso', () => {
  it.each([
    ['2020-06-19T04:00:05.901095', '2020-06-19T04:00:05.901095Z'],
    ['2020-06-19T04:00:05Z', '2020-06-19T04:00:05Z'],
    ['2020-06-19T04:00:05.5+00:00', '2020-06-19T04:00:05.5Z'],
    ['2020-06-19T06:00:05.123+02:00', '2020-06-19T04:00:05.123Z'],
    ['2020-06-19T06:00:05-0130', '2020-06-19T07:30:05.000Z'],
    ['2020-06-19', '2020-06-19T00:00:00Z'],
    ['2020-06-19t04:00:05z', '2020-06-19T04:00:05Z'],
  ])('%s → %s', (input, expected) => {
    expect(toUtcIso(input)).toBe(expected);
  });

  it.each(['', 'now', '2020-13-01', '2021-02-29', '2020-06-19T25:00:00Z', '2020-06-19T04:00:05+5', '1592539205'])('rejects %j', (input) => {
    expect(() => toUtcIso(input)).toThrow(/ISO-8601/);
  });

  it('reads zone-less upstream timestamps as UTC', () => {
    expect(upstreamTimeToEpochMs('1970-01-01T00:00:01.000001')).toBe(1000);
  });
});
