/**
 * Decisions from a session record alone: "protects nothing" only when the type says so for sure,
 * "finished" never from a DateTime.MinValue stop time, and the total order of a multi-slice items page.
 */
import type { LinkDto, SessionDto } from '../../src/upstream/dto';
import { isFinished, itemSliceOrder, protectsNothing } from '../../src/sessions/rules';
import { SESSION_TYPE } from '../../src/sessions/enums';

const link: LinkDto = { method: 'GET', rel: 'x', href: 'https://appliance:11005/api/v1/sessions/s/x' };

function session(type: string, embedded?: Record<string, unknown>, extra: Partial<SessionDto> = {}): SessionDto {
  return { id: 's', type, status: 'Succeeded', usn: 1, ...(embedded ? { _embedded: embedded } : {}), ...extra } as SessionDto;
}

describe('protectsNothing', () => {
  it.each([
    SESSION_TYPE.RETENTION_ACTIVITY,
    SESSION_TYPE.TOMBSTONE_RETENTION,
    SESSION_TYPE.SELF_BACKUP_ACTIVITY,
    SESSION_TYPE.CONFIGURATION_BACKUP_ACTIVITY,
    SESSION_TYPE.RESTORE_TASK,
    SESSION_TYPE.FLR_TASK,
    SESSION_TYPE.FLR_EFS_TASK,
  ])('%s never protects an instance', (type) => {
    expect(protectsNothing(session(type, {}))).toBe(true);
  });

  it.each([
    SESSION_TYPE.POLICY,
    SESSION_TYPE.USER_POLICY,
    SESSION_TYPE.JOB,
    SESSION_TYPE.TASK,
    SESSION_TYPE.MANUAL_TASK,
    SESSION_TYPE.IMPORT_POLICY,
    SESSION_TYPE.ARCHIVE_RETRIEVAL,
    SESSION_TYPE.ARCHIVE_RETRIEVAL_PROLONGATION,
    'SomethingALaterRevisionAdds',
  ])('%s is asked (not known to protect nothing)', (type) => {
    expect(protectsNothing(session(type))).toBe(false);
    expect(protectsNothing(session(type, {}))).toBe(false);
  });

  it('a record naming only a job-info link this gateway does not know is asked', () => {
    expect(protectsNothing(session(SESSION_TYPE.POLICY, { rdsBackupJobInfo: link }))).toBe(false);
  });

  it('a record that links its items is asked whatever its type', () => {
    expect(protectsNothing(session(SESSION_TYPE.RESTORE_TASK, { backupJobInfo: link }))).toBe(false);
  });
});

describe('isFinished', () => {
  it('a stopped session is finished; a DateTime.MinValue stop time is no stop', () => {
    expect(isFinished(session('Policy', undefined, { executionStopTime: '2026-10-01T04:00:00.1234567' }))).toBe(true);
    expect(isFinished(session('Policy', undefined, { executionStopTime: '0001-01-01T00:00:00' }))).toBe(false);
    expect(isFinished(session('Policy'))).toBe(false);
    expect(isFinished(session('Policy', undefined, { status: 'Running', executionStopTime: '2026-10-01T04:00:00' }))).toBe(false);
  });
});

describe('itemSliceOrder', () => {
  it.each([
    [[], ['virtualMachineNameAsc', 'regionAsc']],
    [['failedDesc'], ['failedDesc', 'virtualMachineNameAsc', 'regionAsc']],
    [['regionDesc'], ['regionDesc', 'virtualMachineNameAsc']],
    [['virtualMachineNameDesc'], ['virtualMachineNameDesc', 'regionAsc']],
    [
      ['regionAsc', 'virtualMachineNameDesc'],
      ['regionAsc', 'virtualMachineNameDesc'],
    ],
  ] as const)('%j → %j', (sort, expected) => {
    expect(itemSliceOrder(sort)).toEqual(expected);
  });
});
