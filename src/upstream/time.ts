/**
 * Date-time handling for the Veeam wire format, the one parser for every upstream time (session
 * start/stop, log times, token `.issued`/`.expires`) and every date-time argument a client gives.
 * Appliances send time-zone-less timestamps with microseconds (`2020-06-19T04:00:05.901095`, .NET
 * writes up to 7 fraction digits) that mean UTC; others carry `Z` or an offset. A JS Date would drop
 * the microseconds, so values are normalised as strings and only validated through Date.
 *
 * `0001-01-01T00:00:00` is .NET's DateTime.MinValue, which a .NET appliance writes for a time it does
 * not have (a stop time while running): read through readUpstreamTime/upstreamTimeToEpochMs it is
 * absent, never a date in year 1.
 */

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

export class InvalidDateTimeError extends TypeError {
  constructor(value: string) {
    super(`Expected an ISO-8601 date-time such as 2026-01-31T12:00:00Z, got ${JSON.stringify(value.slice(0, 64))}`);
  }
}

/**
 * Normalises an ISO-8601 date or date-time to UTC with `Z`. A value without a zone is read as UTC
 * (the appliance's convention); a date alone means its midnight UTC. Fractional digits are kept as
 * given when already in UTC; with an offset, the value is shifted and keeps millisecond precision.
 */
export function toUtcIso(value: string | Date): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new InvalidDateTimeError(String(value));
    return value.toISOString();
  }
  const canonical = canonicalUtc(value);
  if (canonical !== undefined) return canonical;
  const match = ISO_DATE_TIME.exec(value.trim());
  if (!match) throw new InvalidDateTimeError(value);
  const [, year = '', month = '', day = '', hour = '00', minute = '00', second = '00', fraction = '', zone] = match;
  // Checked by arithmetic, not through a Date: this runs for every DateTime an answer carries.
  if (!isCalendarTime(Number(year), Number(month), Number(day), Number(hour), Number(minute), Number(second))) {
    throw new InvalidDateTimeError(value);
  }
  const base = `${year}-${month}-${day}T${hour}:${minute}:${second}`;
  const offset = zone?.toUpperCase();
  if (offset === undefined || offset === 'Z' || /^[+-]00:?00$/.test(offset)) return `${base}${fraction}Z`;
  const shifted = new Date(`${base}${fraction.slice(0, 4)}${offset.length === 5 ? `${offset.slice(0, 3)}:${offset.slice(3)}` : offset}`);
  if (Number.isNaN(shifted.getTime())) throw new InvalidDateTimeError(value);
  return shifted.toISOString();
}

const ZERO = 48;
const digitAt = (value: string, index: number): number => {
  const digit = value.charCodeAt(index) - ZERO;
  return digit >= 0 && digit <= 9 ? digit : Number.NaN;
};
const twoDigitsAt = (value: string, index: number): number => digitAt(value, index) * 10 + digitAt(value, index + 1);

/**
 * The appliance's own shape, `YYYY-MM-DDTHH:MM:SS`, an optional fraction of 1 to 9 digits and an
 * optional `Z`, read by character codes: no regex match, no substrings. This runs for every DateTime
 * an answer carries (two per session row). Anything else (an offset, a space, a lower-case letter, a
 * date alone) returns undefined and takes the general path.
 */
function canonicalUtc(value: string): string | undefined {
  const length = value.length;
  if (length < 19 || value[4] !== '-' || value[7] !== '-' || value[10] !== 'T' || value[13] !== ':' || value[16] !== ':') return undefined;
  const zulu = value.charCodeAt(length - 1) === 90; // 'Z'
  const end = zulu ? length - 1 : length;
  if (end > 19) {
    if (value[19] !== '.' || end === 20 || end - 20 > 9) return undefined;
    for (let index = 20; index < end; index += 1) if (Number.isNaN(digitAt(value, index))) return undefined;
  } else if (end < 19) return undefined;
  const year = twoDigitsAt(value, 0) * 100 + twoDigitsAt(value, 2);
  const month = twoDigitsAt(value, 5);
  const day = twoDigitsAt(value, 8);
  const hour = twoDigitsAt(value, 11);
  const minute = twoDigitsAt(value, 14);
  const second = twoDigitsAt(value, 17);
  if (Number.isNaN(year + month + day + hour + minute + second)) return undefined; // a non-digit somewhere
  if (!isCalendarTime(year, month, day, hour, minute, second)) throw new InvalidDateTimeError(value);
  return zulu ? value : `${value}Z`;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** A real proleptic-Gregorian date and time of day (what Date accepts without rolling 02-31 over to 03-03). */
function isCalendarTime(year: number, month: number, day: number, hour: number, minute: number, second: number): boolean {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  const days = month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  return day <= days;
}

/** DateTime.MinValue as .NET serialises it (any zone, any zero fraction, or the date alone). */
const DOTNET_MIN_VALUE = /^0001-01-01(?:[T ]00:00(?::00(?:\.0+)?)?(?:Z|[+-]00:?00)?)?$/i;

/** Whether an upstream time is .NET's "no time" sentinel (DateTime.MinValue). */
export function isNoTime(value: string): boolean {
  return DOTNET_MIN_VALUE.test(value.trim());
}

/**
 * An upstream time as UTC ISO-8601 with `Z` (toUtcIso), or undefined when it is absent (missing,
 * null, empty) or the DateTime.MinValue sentinel. Throws InvalidDateTimeError when unreadable.
 */
export function readUpstreamTime(value: string | null | undefined): string | undefined {
  if (value == null || value.trim() === '' || isNoTime(value)) return undefined;
  return toUtcIso(value);
}

/**
 * Milliseconds since the epoch of an upstream time (zone-less = UTC), undefined when absent or the
 * sentinel. Throws InvalidDateTimeError when unreadable.
 */
export function upstreamTimeToEpochMs(value: string | null | undefined): number | undefined {
  const iso = readUpstreamTime(value);
  return iso === undefined ? undefined : Date.parse(iso);
}
