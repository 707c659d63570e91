/**
 * Row formats of the exports. CSV per RFC 4180 (CRLF line ends, fields quoted when they hold a
 * comma, quote, CR or LF, quotes doubled); times in UTC ISO-8601; columns in a fixed, documented order.
 */
import type { ProtectedItemDto, SessionDto } from '../upstream/dto';
import { toUtcIso } from '../upstream/time';

export const SESSION_COLUMNS = [
  'id', 'name', 'type', 'extendedType', 'status', 'result', 'reason', 'usn', 'startTime', 'stopTime', 'durationMs',
] as const;

export const ITEM_COLUMNS = [
  'sessionId', 'sessionType', 'sessionStatus', 'sessionStartTime', 'itemId', 'itemName', 'itemStatus', 'region',
] as const;

type Cell = string | number | undefined;

const utc = (value: string | undefined): string | undefined => (value === undefined ? undefined : toUtcIso(value));

export function sessionRecord(s: SessionDto): Record<(typeof SESSION_COLUMNS)[number], Cell> {
  return {
    id: s.id,
    name: s.name,
    type: s.type,
    extendedType: s.extendedSessionType,
    status: s.status,
    result: s.result,
    reason: s.reason,
    usn: s.usn,
    startTime: utc(s.executionStartTime),
    stopTime: utc(s.executionStopTime),
    durationMs: s.executionDuration,
  };
}

export function itemRecord(s: SessionDto, item: ProtectedItemDto): Record<(typeof ITEM_COLUMNS)[number], Cell> {
  return {
    sessionId: s.id,
    sessionType: s.type,
    sessionStatus: s.status,
    sessionStartTime: utc(s.executionStartTime),
    itemId: item.id,
    itemName: item.name,
    itemStatus: item.status,
    region: item.region,
  };
}

export function csvField(value: Cell): string {
  if (value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly Cell[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/** The last line of a CSV whose upstream failed midway: the file is visibly incomplete. */
export function csvErrorLine(code: string, message: string): string {
  return csvLine(['#ERROR', code, message]);
}
