import {
  SESSION_RESULT,
  SESSION_STATUS,
  SESSION_TYPE,
  protectedItemSortColumn,
  sessionSortColumn,
  toSessionResult,
  toSessionStatus,
  toSessionType,
} from '../../src/sessions/enums';
import { SESSION_RESULTS, SESSION_STATUSES, SESSION_TYPES } from '../../src/upstream/dto';

describe('enum mapping', () => {
  it('covers every upstream value of the spec and 1.7-rev0', () => {
    expect(Object.values(SESSION_TYPE).sort()).toEqual([...SESSION_TYPES].sort());
    expect(Object.values(SESSION_STATUS).sort()).toEqual([...SESSION_STATUSES].sort());
    expect(Object.values(SESSION_RESULT).sort()).toEqual([...SESSION_RESULTS].sort());
  });

  it('round-trips known values and maps unknown ones to UNKNOWN', () => {
    expect(toSessionType('FLRTask')).toBe('FLR_TASK');
    expect(toSessionType('QuantumBackup')).toBe('UNKNOWN');
    expect(toSessionStatus('Canceled')).toBe('CANCELED');
    expect(toSessionResult('Cancelled')).toBe('CANCELLED');
    expect(toSessionResult('Canceled')).toBe('UNKNOWN');
  });

  it('spells sort columns as the appliance does', () => {
    expect(sessionSortColumn('STOP_TIME', 'DESC')).toBe('stopTimeDesc');
    expect(sessionSortColumn('REASON')).toBe('reasonAsc');
    expect(protectedItemSortColumn('NAME', 'DESC')).toBe('virtualMachineNameDesc');
    expect(protectedItemSortColumn('FAILED', 'ASC')).toBe('failedAsc');
  });
});
