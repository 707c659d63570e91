import { Kind } from 'graphql';
import { DateTimeScalar, LongScalar } from '../../src/graphql/scalars';

describe('DateTime', () => {
  it('serialises zone-less upstream timestamps as UTC with Z, keeping microseconds', () => {
    expect(DateTimeScalar.serialize('2020-06-19T04:00:05.901095')).toBe('2020-06-19T04:00:05.901095Z');
  });

  it('parses inputs with zones to UTC and rejects garbage with BAD_USER_INPUT', () => {
    expect(DateTimeScalar.parseValue('2026-01-31T14:00:00+02:00')).toBe('2026-01-31T12:00:00.000Z');
    expect(DateTimeScalar.parseLiteral({ kind: Kind.STRING, value: '2026-01-31' })).toBe('2026-01-31T00:00:00Z');
    expect(() => DateTimeScalar.parseValue('31/01/2026')).toThrow(expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } }));
    expect(() => DateTimeScalar.parseValue(1700000000)).toThrow(/ISO-8601 string/);
    expect(() => DateTimeScalar.parseLiteral({ kind: Kind.INT, value: '5' })).toThrow(/string literal/);
  });
});

describe('Long', () => {
  it('always outputs a decimal string, small or big, so clients type it one way', () => {
    expect(LongScalar.serialize(42)).toBe('42');
    expect(LongScalar.serialize('007')).toBe('7');
    expect(LongScalar.serialize('9007199254740993')).toBe('9007199254740993');
    expect(LongScalar.serialize(BigInt('9223372036854775807'))).toBe('9223372036854775807');
    expect(() => LongScalar.serialize(1.5)).toThrow(/cannot represent/);
  });

  it('accepts numbers and decimal strings within int64 and keeps big values exact', () => {
    expect(LongScalar.parseValue(26)).toBe('26');
    expect(LongScalar.parseValue('9223372036854775807')).toBe('9223372036854775807');
    expect(LongScalar.parseLiteral({ kind: Kind.INT, value: '9007199254740993' })).toBe('9007199254740993');
  });

  it.each([1.5, '12a', '9223372036854775808', Number.MAX_SAFE_INTEGER + 2, true, null])('rejects %j', (value) => {
    expect(() => LongScalar.parseValue(value)).toThrow(expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } }));
  });
});
