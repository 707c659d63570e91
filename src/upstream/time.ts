/**
 * Date-time handling for the Veeam wire format. Appliances send time-zone-less timestamps with
 * microseconds (`2020-06-19T04:00:05.901095`) that mean UTC; a JS Date would drop the microseconds,
 * so values are normalised as strings and only validated through Date.
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
  const match = ISO_DATE_TIME.exec(value.trim());
  if (!match) throw new InvalidDateTimeError(value);
  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '', zone] = match;
  const base = `${year}-${month}-${day}T${hour}:${minute}:${second}`;
  const asUtc = new Date(`${base}Z`);
  // Date accepts 2026-02-31 by rolling over: compare the fields back to reject impossible dates.
  if (Number.isNaN(asUtc.getTime()) || asUtc.toISOString().slice(0, 19) !== base) {
    throw new InvalidDateTimeError(value);
  }
  const offset = zone?.toUpperCase();
  if (offset === undefined || offset === 'Z' || /^[+-]00:?00$/.test(offset)) return `${base}${fraction}Z`;
  const shifted = new Date(`${base}${fraction.slice(0, 4)}${offset.length === 5 ? `${offset.slice(0, 3)}:${offset.slice(3)}` : offset}`);
  if (Number.isNaN(shifted.getTime())) throw new InvalidDateTimeError(value);
  return shifted.toISOString();
}

/** Milliseconds since the epoch of an upstream timestamp (zone-less = UTC). */
export function upstreamTimeToEpochMs(value: string): number {
  return Date.parse(toUtcIso(value));
}
