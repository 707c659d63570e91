/**
 * Row formats of the exports. CSV per RFC 4180 (CRLF line ends, fields quoted when they hold a
 * comma, quote, CR or LF, quotes doubled), safe to open in a spreadsheet (text that would start a
 * formula is prefixed with `'`); times in UTC ISO-8601; columns in a fixed, documented order. Enum
 * columns carry the GraphQL names (`POLICY`, `FAILED`), as the API does; the appliance's own
 * spellings follow in the `raw…` columns at the end, like the GraphQL `raw…` fields.
 */
import { toProtectedItemStatus, toSessionResult, toSessionStatus, toSessionType } from '../sessions/enums';
import type { ProtectedItemDto, SessionDto } from '../upstream/dto';
import { readUpstreamTime } from '../upstream/time';

export const SESSION_COLUMNS = [
  'id',
  'name',
  'type',
  'extendedType',
  'status',
  'result',
  'reason',
  'usn',
  'startTime',
  'stopTime',
  'durationMs',
  'rawType',
  'rawStatus',
  'rawResult',
] as const;

export const ITEM_COLUMNS = [
  'sessionId',
  'sessionType',
  'sessionStatus',
  'sessionStartTime',
  'itemId',
  'itemName',
  'itemStatus',
  'region',
  'rawSessionType',
  'rawSessionStatus',
  'rawItemStatus',
] as const;

type Cell = string | number | undefined;

/** UTC ISO-8601; an empty cell when absent or .NET's DateTime.MinValue ("no time"). */
const utc = (value: string | undefined): string | undefined => readUpstreamTime(value);

export function sessionRecord(s: SessionDto): Record<(typeof SESSION_COLUMNS)[number], Cell> {
  return {
    id: s.id,
    name: s.name,
    type: toSessionType(s.type),
    extendedType: s.extendedSessionType,
    status: toSessionStatus(s.status),
    result: s.result === undefined ? undefined : toSessionResult(s.result),
    reason: s.reason,
    usn: s.usn,
    startTime: utc(s.executionStartTime),
    stopTime: utc(s.executionStopTime),
    durationMs: s.executionDuration,
    rawType: s.type,
    rawStatus: s.status,
    rawResult: s.result,
  };
}

export function itemRecord(s: SessionDto, item: ProtectedItemDto): Record<(typeof ITEM_COLUMNS)[number], Cell> {
  return {
    sessionId: s.id,
    sessionType: toSessionType(s.type),
    sessionStatus: toSessionStatus(s.status),
    sessionStartTime: utc(s.executionStartTime),
    itemId: item.id,
    itemName: item.name,
    itemStatus: item.status === undefined ? undefined : toProtectedItemStatus(item.status),
    region: item.region,
    rawSessionType: s.type,
    rawSessionStatus: s.status,
    rawItemStatus: item.status,
  };
}

/**
 * Text a spreadsheet would run as a formula: cells starting with `=`, `+`, `-`, `@`, tab or CR
 * (OWASP "CSV injection"). Item names are EC2 `Name` tags, which anyone with ec2:CreateTags writes.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field. Text that could start a formula is neutralised the OWASP way: prefixed with `'`
 * (shown, not evaluated) and quoted. Only text is: numbers are the appliance's numeric fields
 * (durations, USNs) written as numbers, so a negative number stays a number a spreadsheet can sum.
 */
export function csvField(value: Cell): string {
  if (value === undefined) return '';
  if (typeof value === 'number') return String(value);
  if (FORMULA_START.test(value)) return `"'${value.replace(/"/g, '""')}"`;
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvLine(values: readonly Cell[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/** The last line of a CSV whose upstream failed midway: the file is visibly incomplete. */
export function csvErrorLine(code: string, message: string): string {
  return csvLine(['#ERROR', code, message]);
}
