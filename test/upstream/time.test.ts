import fc from 'fast-check';
import { isNoTime, readUpstreamTime, toUtcIso, upstreamTimeToEpochMs } from '../../src/upstream/time';

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

describe('every form of upstream time, read by the one parser', () => {
  const at = Date.UTC(2020, 5, 19, 4, 0, 5, 901);
  it.each([
    ['no zone (UTC), microseconds', '2020-06-19T04:00:05.901095', '2020-06-19T04:00:05.901095Z', at],
    ['Z', '2020-06-19T04:00:05.901Z', '2020-06-19T04:00:05.901Z', at],
    ['a positive offset', '2020-06-19T06:00:05.901+02:00', '2020-06-19T04:00:05.901Z', at],
    ['a negative offset without colon', '2020-06-18T23:30:05.901-0430', '2020-06-19T04:00:05.901Z', at],
    ['7 fraction digits (.NET ticks), no zone', '2020-06-19T04:00:05.9010951', '2020-06-19T04:00:05.9010951Z', at],
    ['7 fraction digits and an offset', '2020-06-19T06:00:05.9010951+02:00', '2020-06-19T04:00:05.901Z', at],
    ['no fraction', '2020-06-19T04:00:05', '2020-06-19T04:00:05Z', at - 901],
  ])('%s: %s', (_form, input, iso, epochMs) => {
    expect(readUpstreamTime(input)).toBe(iso);
    expect(upstreamTimeToEpochMs(input)).toBe(epochMs);
  });

  it.each(['0001-01-01T00:00:00', '0001-01-01T00:00:00Z', '0001-01-01T00:00:00.0000000', '0001-01-01T00:00:00+00:00', '0001-01-01'])(
    "the DateTime.MinValue sentinel %j means 'none'",
    (input) => {
      expect(isNoTime(input)).toBe(true);
      expect(readUpstreamTime(input)).toBeUndefined();
      expect(upstreamTimeToEpochMs(input)).toBeUndefined();
    },
  );

  it('a real time on the first day of year 1 past midnight, or of year 2, is not the sentinel', () => {
    expect(isNoTime('0001-01-01T00:00:01')).toBe(false);
    expect(isNoTime('0002-01-01T00:00:00')).toBe(false);
  });

  it.each([undefined, null, '', '  '])('absent (%j) is undefined', (input) => {
    expect(readUpstreamTime(input)).toBeUndefined();
    expect(upstreamTimeToEpochMs(input)).toBeUndefined();
  });

  it('refuses what is not a time', () => {
    expect(() => readUpstreamTime('Thu, 19 Jun 2020 04:00:05 GMT')).toThrow(/ISO-8601/);
    expect(() => upstreamTimeToEpochMs('yesterday')).toThrow(/ISO-8601/);
  });
});

describe('calendar check', () => {
  // The reference is what the parser did before it checked by arithmetic: Date, and no roll-over.
  const viaDate = (base: string): boolean => {
    const date = new Date(`${base}Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 19) === base;
  };
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

  it('accepts exactly the date-times Date accepts without rolling over (every day of every month, leap rules, field bounds)', () => {
    for (const year of [1, 1900, 1999, 2000, 2023, 2024, 2100, 9999]) {
      for (let month = 0; month <= 13; month += 1) {
        for (let day = 0; day <= 32; day += 1) {
          for (const [hour, minute, second] of [
            [0, 0, 0],
            [23, 59, 59],
            [24, 0, 0],
            [12, 60, 0],
            [12, 0, 60],
          ] as const) {
            const base = `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}`;
            const accepted = (() => {
              try {
                return toUtcIso(base) === `${base}Z`;
              } catch {
                return false;
              }
            })();
            expect([base, accepted]).toEqual([base, viaDate(base)]);
          }
        }
      }
    }
  });
});

describe("the appliance's own shape, read without a regex", () => {
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  const viaDate = (base: string): boolean => {
    const date = new Date(`${base}Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 19) === base;
  };

  it('gives what the general rule gives, for every field, fraction length and zone letter', () => {
    fc.assert(
      fc.property(
        fc.record({
          year: fc.integer({ min: 0, max: 9999 }),
          month: fc.integer({ min: 0, max: 13 }),
          day: fc.integer({ min: 0, max: 32 }),
          hour: fc.integer({ min: 0, max: 24 }),
          minute: fc.integer({ min: 0, max: 60 }),
          second: fc.integer({ min: 0, max: 60 }),
          fraction: fc.stringMatching(/^\d{0,11}$/),
          dot: fc.boolean(),
          zone: fc.constantFrom('', 'Z', 'z', '+00:00', '+01:00', ' '),
        }),
        ({ year, month, day, hour, minute, second, fraction, dot, zone }) => {
          const base = `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}`;
          const fractionPart = dot ? `.${fraction}` : '';
          const input = `${base}${fractionPart}${zone}`;
          const readable = viaDate(base) && (!dot || (fraction.length >= 1 && fraction.length <= 9));
          if (!readable) {
            expect(() => toUtcIso(input)).toThrow(/ISO-8601/);
          } else if (zone === '+01:00') {
            expect(toUtcIso(input)).toBe(new Date(`${base}${fractionPart.slice(0, 4)}+01:00`).toISOString());
          } else {
            expect(toUtcIso(input)).toBe(`${base}${fractionPart}Z`);
          }
        },
      ),
      { numRuns: 5000 },
    );
  });

  it.each([
    '2020-06-19T04:00:05.',
    '2020-06-19T04:00:05.1234567890',
    '2020-06-19T04:00:5',
    '2020-06-19T04:00:05ZZ',
    '２０２０-06-19T04:00:05',
  ])('refuses %j', (input) => {
    expect(() => toUtcIso(input)).toThrow(/ISO-8601/);
  });
});
