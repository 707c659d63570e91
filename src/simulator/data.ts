/**
 * The simulator's appliance: a deterministic history of sessions over `spanDays` before `anchor`,
 * policies that protect fixed sets of EC2 instances, and lazily derived protected items and logs.
 * Shapes follow src/upstream/dto.ts; every record is immutable once generated. Sessions change only
 * through `replace` and `append` (activity.ts: opt-in), which swap in new records with a new USN.
 */
import type { LogItemDto, ProtectedItemDto, SessionDto, SessionLogDto } from '../upstream/dto';
import { BoundedMemo } from './memo';
import { hashSeed, mulberry32, pick, uuidFrom, weighted, type Random } from './prng';

export interface DatasetOptions {
  sessionCount: number;
  seed: number;
  anchorMs: number;
  spanDays: number;
  /** e.g. http://127.0.0.1:11005: links are absolute, as the appliance writes them. */
  origin: string;
}

export interface Instance {
  id: string;
  name: string;
  region: string;
  /** Built once per instance and shared by all its items: the links never differ. */
  embedded: NonNullable<ProtectedItemDto['_embedded']>;
}

export interface Policy {
  id: string;
  name: string;
  type: 'Policy' | 'UserPolicy';
  extendedSessionType: string;
  instances: Instance[];
  instanceIds: ReadonlySet<string>;
}

/** A session plus what the appliance knows but does not emit. */
export interface SessionRecord {
  dto: SessionDto;
  startMs: number | undefined;
  stopMs: number | undefined;
  policy: Policy | undefined;
  parentSessionId: string | undefined;
  /** Sessions run by activity.ts: how many of the policy's instances it has processed so far. */
  processedCount?: number;
}

const REGIONS = ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2'];
const ROLES = ['web', 'api', 'db', 'cache', 'worker', 'batch', 'vpn', 'bastion', 'search', 'queue'];
const ENVIRONMENTS = ['prod', 'stage', 'dev'];
const FLEET_SIZE = 300;
const POLICY_COUNT = 20;

const TYPE_WEIGHTS: ReadonlyArray<readonly [string, number]> = [
  ['Policy', 700],
  ['RetentionActivity', 90],
  ['ConfigurationBackupActivity', 40],
  ['UserPolicy', 30],
  ['RestoreTask', 25],
  ['Task', 20],
  ['FLRTask', 15],
  ['Job', 15],
  ['TombstoneRetention', 10],
  ['FlrEfsTask', 8],
  ['ImportPolicy', 5],
  ['SelfBackupActivity', 5],
  ['ArchiveRetrieval', 5],
  ['ManualTask', 3],
  ['ArchiveRetrievalProlongation', 2],
];
const STATUS_WEIGHTS: ReadonlyArray<readonly [string, number]> = [
  ['Succeeded', 82],
  ['Warning', 8],
  ['Failed', 7],
  ['Canceled', 3],
];
const RESULT_OF: Record<string, string> = {
  Succeeded: 'Success',
  Warning: 'Warning',
  Failed: 'Failed',
  Canceled: 'Cancelled',
  Running: 'Running',
};
const BACKUP_TYPES = new Set(['Policy', 'UserPolicy']);
const RESTORE_TYPES = new Set(['RestoreTask', 'FLRTask', 'FlrEfsTask']);
const RETENTION_TYPES = new Set(['RetentionActivity', 'TombstoneRetention']);
const OTHER_NAMES: Record<string, string> = {
  RetentionActivity: 'Retention',
  ConfigurationBackupActivity: 'Configuration backup',
  RestoreTask: 'EC2 instance restore',
  Task: 'Policy task',
  FLRTask: 'File-level recovery',
  Job: 'Backup job',
  TombstoneRetention: 'Tombstone retention',
  FlrEfsTask: 'EFS file-level recovery',
  ImportPolicy: 'Policy import',
  SelfBackupActivity: 'Self backup',
  ArchiveRetrieval: 'Archive retrieval',
  ManualTask: 'Manual task',
  ArchiveRetrievalProlongation: 'Archive retrieval prolongation',
};

/** `2020-06-19T04:00:05.901095`: UTC, no zone, microseconds, as appliances write it. */
export function applianceTime(ms: number, micros: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}.${String(Math.floor(ms % 1000) * 1000 + micros).padStart(6, '0')}`;
}

function makeFleet(random: Random, origin: string): Instance[] {
  return Array.from({ length: FLEET_SIZE }, (_, i) => {
    const id = uuidFrom(random);
    const region = pick(random, REGIONS);
    return {
      id,
      name: `${pick(random, ROLES)}-${pick(random, ENVIRONMENTS)}-${String(i + 1).padStart(3, '0')}`,
      region,
      embedded: {
        virtualMachine: { method: 'GET', rel: 'VirtualMachine', href: `${origin}/api/v1/virtualMachines/${id}` },
        region: { method: 'GET', rel: 'Region', href: `${origin}/api/v1/regions/${region}` },
      },
    };
  });
}

/** Item lists and logs kept at once; enough for any test's working set, small enough for 100,000 sessions. */
const MEMO_CAPACITY = 20_000;

function makePolicies(random: Random, fleet: Instance[]): Policy[] {
  return Array.from({ length: POLICY_COUNT }, (_, i) => {
    const size = Math.floor(random() * 51); // 0–50 protected instances
    const start = Math.floor(random() * (fleet.length - size));
    const user = i >= POLICY_COUNT - 3;
    const instances = fleet.slice(start, start + size);
    return {
      id: uuidFrom(random),
      name: `${user ? 'User policy' : 'Policy'} ${pick(random, ENVIRONMENTS)}-${pick(random, ROLES)} ${i + 1}`,
      type: user ? 'UserPolicy' : 'Policy',
      extendedSessionType: pick(random, ['PolicyBackup', 'PolicySnapshot', 'PolicyBackup', 'PolicyRemoteSnapshot']),
      instances,
      instanceIds: new Set(instances.map((instance) => instance.id)),
    };
  });
}

export class Dataset {
  readonly sessions: SessionRecord[];
  readonly byId = new Map<string, SessionRecord>();
  readonly fleet: Instance[];
  readonly policies: readonly Policy[];
  private lastUsn: number;
  private readonly items = new BoundedMemo<ProtectedItemDto[]>(MEMO_CAPACITY);
  private readonly logs = new BoundedMemo<SessionLogDto>(MEMO_CAPACITY);

  constructor(private readonly options: DatasetOptions) {
    const random = mulberry32(options.seed);
    this.fleet = makeFleet(random, options.origin);
    const policies = makePolicies(random, this.fleet);
    this.policies = policies;
    this.sessions = this.makeSessions(random, policies);
    for (const record of this.sessions) this.byId.set(record.dto.id, record);
    this.lastUsn = this.sessions.reduce((max, record) => Math.max(max, record.dto.usn), 0);
  }

  /** The appliance's next update sequence number: every change takes one. */
  nextUsn(): number {
    this.lastUsn += 1;
    return this.lastUsn;
  }

  get origin(): string {
    return this.options.origin;
  }

  /** A new session (it started). */
  append(record: SessionRecord): void {
    this.sessions.push(record);
    this.byId.set(record.dto.id, record);
  }

  /** A session changed: the new record replaces the old one, whose derived items and log are dropped. */
  replace(record: SessionRecord): void {
    const index = this.sessions.findIndex((r) => r.dto.id === record.dto.id);
    if (index < 0) throw new Error(`no session ${record.dto.id}`);
    this.sessions[index] = record;
    this.byId.set(record.dto.id, record);
    this.items.delete(record.dto.id);
    this.logs.delete(record.dto.id);
  }

  /** The session's protected items in the appliance's default order; undefined if not a backup session. */
  protectedItems(sessionId: string): ProtectedItemDto[] | undefined {
    const record = this.byId.get(sessionId);
    if (!record?.policy) return undefined;
    return this.items.get(sessionId, () => {
      const items =
        record.policy?.instances.filter((instance) => this.processed(record, instance.id)).map((instance) => this.item(record, instance)) ??
        [];
      // A Failed (Warning) session with items has at least one Failed (Warning) item: the two agree.
      const first = items[0];
      const worst = record.dto.status === 'Failed' || record.dto.status === 'Warning' ? record.dto.status : undefined;
      if (first && worst && !items.some((item) => item.status === worst)) first.status = worst;
      return items;
    });
  }

  /** Whether the session processed that instance: cheap, so VmId filtering needs no item lists. */
  processed(record: SessionRecord, instanceId: string): boolean {
    if (!record.policy || record.dto.status === 'NeverExecuted' || !record.policy.instanceIds.has(instanceId)) return false;
    if (record.processedCount !== undefined) {
      return record.policy.instances.findIndex((instance) => instance.id === instanceId) < record.processedCount;
    }
    const roll = hashSeed(`${record.dto.id}|${instanceId}`, this.options.seed) % 100;
    // A running session has processed about half of its instances so far.
    return record.dto.status === 'Running' ? roll < 50 : roll < 92;
  }

  log(sessionId: string): SessionLogDto | undefined {
    const record = this.byId.get(sessionId);
    if (!record) return undefined;
    return this.logs.get(sessionId, () => ({ sessionId, log: this.makeLog(record) }));
  }

  private item(record: SessionRecord, instance: Instance): ProtectedItemDto {
    const roll = hashSeed(`${instance.id}|${record.dto.id}|status`, this.options.seed) % 100;
    const status =
      record.dto.status === 'Failed'
        ? roll < 40
          ? 'Failed'
          : roll < 55
            ? 'Warning'
            : 'Succeeded'
        : record.dto.status === 'Warning'
          ? roll < 30
            ? 'Warning'
            : 'Succeeded'
          : record.dto.status === 'Canceled'
            ? roll < 50
              ? 'Failed'
              : 'Succeeded'
            : 'Succeeded';
    return { id: instance.id, name: instance.name, status, region: instance.region, _embedded: instance.embedded };
  }

  private makeSessions(random: Random, policies: Policy[]): SessionRecord[] {
    const { sessionCount, anchorMs, spanDays } = this.options;
    const spanMs = spanDays * 86_400_000;
    const step = spanMs / sessionCount;
    const records: SessionRecord[] = [];
    let lastBackup: SessionRecord | undefined;
    // The newest sessions are still running (the very newest a policy backup, as on any busy appliance).
    const firstRunning = sessionCount - Math.min(5, Math.max(3, Math.floor(sessionCount * 0.002)));
    for (let i = 0; i < sessionCount; i += 1) {
      const running = i >= firstRunning;
      // One slot per session, jittered within it: start times (and so usns) strictly increase.
      const startMs = Math.floor(anchorMs - spanMs + i * step + random() * step * 0.9);
      const type = i === sessionCount - 1 ? 'Policy' : weighted(random, TYPE_WEIGHTS);
      const policy = BACKUP_TYPES.has(type) ? this.policyFor(random, policies, type, running) : undefined;
      // A few scheduled sessions never ran.
      const neverExecuted = !running && random() < 0.004;
      const status = running ? 'Running' : neverExecuted ? 'NeverExecuted' : weighted(random, STATUS_WEIGHTS);
      // Backups take a minute to hours (mostly under one), other activities seconds to minutes.
      const drawn = (policy ? 60_000 + random() ** 2 * 10_800_000 : 2_000 + random() * 600_000) * (status === 'Canceled' ? 0.3 : 1);
      // Nothing has finished after the anchor ("now").
      const durationMs = Math.max(0, Math.min(Math.floor(drawn), anchorMs - startMs - 1));
      const finished = !running && !neverExecuted;
      const record: SessionRecord = {
        dto: this.sessionDto(random, i, type, status, policy, startMs, finished ? durationMs : undefined, neverExecuted),
        startMs: neverExecuted ? undefined : startMs,
        stopMs: finished ? startMs + durationMs : undefined,
        policy,
        parentSessionId: type === 'Task' && lastBackup ? lastBackup.dto.id : undefined,
      };
      if (policy) lastBackup = record;
      records.push(record);
    }
    return records;
  }

  /** A running session shows progress: give it a policy with enough instances to have processed some. */
  private policyFor(random: Random, policies: Policy[], type: string, running: boolean): Policy {
    const ofType = policies.filter((p) => p.type === type);
    const busy = ofType.filter((p) => p.instances.length >= 10);
    return pick(random, running && busy.length > 0 ? busy : ofType);
  }

  private sessionDto(
    random: Random,
    index: number,
    type: string,
    status: string,
    policy: Policy | undefined,
    startMs: number,
    durationMs: number | undefined,
    neverExecuted: boolean,
  ): SessionDto {
    const id = uuidFrom(random);
    const { origin } = this.options;
    const self = `${origin}/api/v1/sessions/${id}`;
    const dto: SessionDto = {
      id,
      type,
      status,
      result: RESULT_OF[status],
      reason: policy ? (random() < 0.9 ? 'Scheduled' : 'Manual start by admin') : random() < 0.5 ? '' : 'Triggered by the appliance',
      usn: index + 1,
      name: policy ? policy.name : (OTHER_NAMES[type] ?? type),
      extendedSessionType: policy ? policy.extendedSessionType : type,
      _links: [
        { method: 'GET', rel: 'self', href: self },
        { method: 'GET', rel: 'SessionLogs', href: `${self}/log` },
      ],
      _embedded: {},
    };
    if (status === 'NeverExecuted') delete dto.result;
    if (!neverExecuted) dto.executionStartTime = applianceTime(startMs, Math.floor(random() * 1000));
    if (durationMs !== undefined) {
      dto.executionStopTime = applianceTime(startMs + durationMs, Math.floor(random() * 1000));
      dto.executionDuration = durationMs;
    }
    if (policy) dto._embedded = { backupJobInfo: { method: 'GET', rel: 'BackupJobInfo', href: `${self}/protectedItems` } };
    else if (RESTORE_TYPES.has(type))
      dto._embedded = { restoreJobInfo: { method: 'GET', rel: 'RestoreJobInfo', href: `${self}/restoreInfo` } };
    else if (RETENTION_TYPES.has(type)) {
      dto._embedded = {
        retentionJobDeletedRestorePoints: { method: 'GET', rel: 'RetentionJobDeletedRestorePoints', href: `${self}/deletedItems` },
      };
    }
    return dto;
  }

  private makeLog(record: SessionRecord): LogItemDto[] {
    const random = mulberry32(hashSeed(record.dto.id, this.options.seed));
    const count = 3 + Math.floor(random() * 10);
    const start = record.startMs ?? this.options.anchorMs;
    const end = record.stopMs ?? Math.max(start, this.options.anchorMs);
    const last = record.dto.status;
    const finalStatus =
      last === 'Failed'
        ? 'Error'
        : last === 'Warning'
          ? 'Warning'
          : last === 'Canceled'
            ? 'Canceled'
            : last === 'Running'
              ? 'Running'
              : last === 'NeverExecuted'
                ? 'NeverExecuted'
                : 'Success';
    const steps = [
      'Starting session',
      'Creating snapshots',
      'Copying data to the backup repository',
      'Applying retention',
      'Processing instances',
      'Updating the configuration database',
      'Cleaning up temporary snapshots',
    ];
    return Array.from({ length: count }, (_, i) => {
      const at = start + Math.floor(((end - start) * i) / count);
      const isLast = i === count - 1;
      return {
        logTime: applianceTime(at, Math.floor(random() * 1000)),
        status: isLast ? finalStatus : random() < 0.05 ? 'Warning' : 'Success',
        message: isLast ? `Session finished: ${last}` : `${pick(random, steps)} (${i + 1}/${count})`,
        executionStartTime: applianceTime(at, 0),
        executionDuration: Math.floor((end - start) / count),
      };
    });
  }
}
