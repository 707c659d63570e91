/**
 * The appliance at work: backup sessions that start, process their instances one by one and finish,
 * each change taking the next update sequence number, as a real appliance's sessions do. Opt-in: the
 * generated history never changes unless a test calls these methods or demo mode turns on `step()`
 * on a timer, so every other test reads the same data as before.
 */
import type { SessionDto } from '../upstream/dto';
import { applianceTime, type Dataset, type Policy, type SessionRecord } from './data';
import { mulberry32, uuidFrom, type Random } from './prng';

export type FinalStatus = 'Succeeded' | 'Warning' | 'Failed' | 'Canceled';

const RESULT_OF: Record<FinalStatus, string> = { Succeeded: 'Success', Warning: 'Warning', Failed: 'Failed', Canceled: 'Cancelled' };

/** A separate random stream: activity must not shift the generated history's draws. */
const ACTIVITY_SALT = 0x5eed;
/** How many live sessions `step()` keeps running at once: enough to watch, few enough to follow. */
const DEMO_RUNNING_TARGET = 2;
/** Instances a running session processes per `step()`. */
const DEMO_INSTANCES_PER_STEP = 3;

export interface SimulatorActivity {
  /** Starts a backup session of a policy with instances (running, new USN); returns its id. */
  start(options?: { policyIndex?: number }): string;
  /** The session processed `count` more instances (one change, new USN); returns the new USN. */
  progress(id: string, count?: number): number;
  /** The session ended (one change, new USN); returns the new USN. */
  finish(id: string, status?: FinalStatus): number;
  /** One beat of demo activity: start sessions, progress the running ones, finish the complete ones. */
  step(): void;
  /** The highest USN on the appliance. */
  lastUsn(): number;
}

export class Activity implements SimulatorActivity {
  private readonly random: Random;
  private readonly live = new Set<string>();

  constructor(
    private readonly data: Dataset,
    /** Told after every change (the sorted views are stale). */
    private readonly changed: () => void,
    seed: number,
    private readonly now: () => number = Date.now,
  ) {
    this.random = mulberry32(seed ^ ACTIVITY_SALT);
  }

  start(options: { policyIndex?: number } = {}): string {
    const busy = this.data.policies.filter((policy) => policy.instances.length >= 5);
    const policy: Policy | undefined =
      options.policyIndex !== undefined ? this.data.policies[options.policyIndex] : busy[Math.floor(this.random() * busy.length)];
    if (!policy) throw new Error('no policy to run');
    const id = uuidFrom(this.random);
    const startMs = this.now();
    const self = `${this.data.origin}/api/v1/sessions/${id}`;
    const dto: SessionDto = {
      id,
      type: policy.type,
      status: 'Running',
      result: 'Running',
      reason: 'Scheduled',
      usn: this.data.nextUsn(),
      name: policy.name,
      extendedSessionType: policy.extendedSessionType,
      executionStartTime: applianceTime(startMs, 0),
      _links: [
        { method: 'GET', rel: 'self', href: self },
        { method: 'GET', rel: 'SessionLogs', href: `${self}/log` },
      ],
      _embedded: { backupJobInfo: { method: 'GET', rel: 'BackupJobInfo', href: `${self}/protectedItems` } },
    };
    this.data.append({ dto, startMs, stopMs: undefined, policy, parentSessionId: undefined, processedCount: 0 });
    this.live.add(id);
    this.changed();
    return id;
  }

  progress(id: string, count = 1): number {
    const record = this.running(id);
    const total = record.policy?.instances.length ?? 0;
    const processedCount = Math.min(total, (record.processedCount ?? 0) + count);
    return this.commit({ ...record, processedCount, dto: { ...record.dto, usn: this.data.nextUsn() } });
  }

  finish(id: string, status: FinalStatus = 'Succeeded'): number {
    const record = this.running(id);
    const stopMs = Math.max(this.now(), (record.startMs ?? 0) + 1);
    const durationMs = stopMs - (record.startMs ?? stopMs);
    this.live.delete(id);
    return this.commit({
      ...record,
      stopMs,
      processedCount: record.policy?.instances.length ?? 0,
      dto: {
        ...record.dto,
        status,
        result: RESULT_OF[status],
        usn: this.data.nextUsn(),
        executionStopTime: applianceTime(stopMs, 0),
        executionDuration: durationMs,
      },
    });
  }

  step(): void {
    for (const id of [...this.live]) {
      const record = this.running(id);
      const total = record.policy?.instances.length ?? 0;
      if ((record.processedCount ?? 0) >= total) {
        const roll = this.random();
        this.finish(id, roll < 0.75 ? 'Succeeded' : roll < 0.9 ? 'Warning' : 'Failed');
      } else {
        this.progress(id, DEMO_INSTANCES_PER_STEP);
      }
    }
    while (this.live.size < DEMO_RUNNING_TARGET) this.start();
  }

  lastUsn(): number {
    return this.data.sessions.reduce((max, record) => Math.max(max, record.dto.usn), 0);
  }

  private running(id: string): SessionRecord {
    const record = this.data.byId.get(id.toLowerCase());
    if (!record || record.dto.status !== 'Running') throw new Error(`session ${id} is not running`);
    return record;
  }

  private commit(record: SessionRecord): number {
    this.data.replace(record);
    this.changed();
    return record.dto.usn;
  }
}
