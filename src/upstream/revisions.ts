/**
 * The REST API revisions the gateway knows, oldest first, with what each adds that the gateway
 * uses: the one table that negotiation (newest first) and revision-aware requests consult.
 * A revision knows everything its predecessors added. Product map from the vendor's versioning page.
 */

/** What a revision adds that changes which requests the gateway may send. */
interface Additions {
  /** Values of the `Types` filter (and of a session's `type`). */
  readonly sessionTypes?: readonly string[];
  /** Query parameters of `GET /sessions`. An older appliance ignores unknown ones: never send them there. */
  readonly sessionParameters?: readonly string[];
  /** A line for operators: what the revision brings. */
  readonly note: string;
}

const TABLE = [
  {
    revision: '1.0-rev0',
    product: 'VBAWS 2.0',
    adds: {
      sessionTypes: [
        'Policy',
        'Job',
        'Task',
        'UserPolicy',
        'RetentionActivity',
        'RestoreTask',
        'FLRTask',
        'SelfBackupActivity',
        'ImportPolicy',
        'TombstoneRetention',
      ],
      sessionParameters: ['Offset', 'Limit', 'Sort', 'Status', 'Types', 'Usn', 'PolicyId', 'VmId', 'FromUtc', 'ToUtc'],
      note: 'the first public revision (sessions, protected items, logs, token)',
    },
  },
  { revision: '1.1-rev0', product: 'VBAWS 3.0', adds: { note: 'nothing the gateway uses' } },
  { revision: '1.2-rev0', product: 'VBAWS 4.0', adds: { note: 'nothing the gateway uses' } },
  { revision: '1.3-rev0', product: 'VBAWS 5.0', adds: { note: 'nothing the gateway uses' } },
  { revision: '1.4-rev0', product: 'VBAWS 6.0', adds: { note: 'nothing the gateway uses' } },
  { revision: '1.5-rev0', product: 'VBAWS 7.0', adds: { note: 'session name and extendedSessionType (read when present)' } },
  { revision: '1.5-rev1', product: 'VBAWS 7.x', adds: { note: 'nothing the gateway uses' } },
  { revision: '1.6-rev0', product: 'VBAWS 8.0', adds: { note: 'nothing the gateway uses' } },
  {
    revision: '1.7-rev0',
    product: 'VBAWS 9.0',
    adds: {
      sessionTypes: ['ConfigurationBackupActivity', 'ArchiveRetrieval', 'ArchiveRetrievalProlongation', 'ManualTask', 'FlrEfsTask'],
      sessionParameters: ['ParentSessionId'],
      note: 'the ParentSessionId filter and five session types',
    },
  },
  { revision: '1.8-rev0', product: 'VBAWS 10.0', adds: { note: 'offset and limit on list pages (read when present)' } },
] as const satisfies ReadonlyArray<{ revision: string; product: string; adds: Additions }>;

export type ApiRevision = (typeof TABLE)[number]['revision'];

/** Oldest first. */
export const KNOWN_REVISIONS: readonly ApiRevision[] = TABLE.map((row) => row.revision);

/** The order negotiation tries them in. */
export const NEWEST_FIRST: readonly ApiRevision[] = [...KNOWN_REVISIONS].reverse();

/** `UpstreamTuning.apiVersion` value that asks for negotiation. */
export const NEGOTIATE = 'auto';

export function isKnownRevision(value: string): value is ApiRevision {
  return (KNOWN_REVISIONS as readonly string[]).includes(value);
}

function firstRevisionWith(pick: (adds: Additions) => readonly string[] | undefined, value: string): ApiRevision | undefined {
  return TABLE.find((row) => (pick(row.adds) ?? []).includes(value))?.revision;
}

/** The revision that introduced a session type, undefined for a type the table does not know. */
export function revisionIntroducingType(type: string): ApiRevision | undefined {
  return firstRevisionWith((adds) => adds.sessionTypes, type);
}

/** The revision that introduced a `GET /sessions` parameter. */
export function revisionIntroducingParameter(name: string): ApiRevision | undefined {
  return firstRevisionWith((adds) => adds.sessionParameters, name);
}

/**
 * Whether `inUse` has what `needed` introduced. An unknown revision in use (pinned by an operator,
 * newer than the table) is taken to be at least as new as the newest known one.
 */
export function revisionHas(inUse: string, needed: ApiRevision): boolean {
  const index = KNOWN_REVISIONS.indexOf(inUse as ApiRevision);
  return index < 0 || index >= KNOWN_REVISIONS.indexOf(needed);
}

/** The product line that ships a revision, for messages. */
export function productOf(revision: string): string | undefined {
  return TABLE.find((row) => row.revision === revision)?.product;
}

/**
 * Whether a 400 answer is the appliance refusing the `x-api-version` it was sent. The body's exact
 * shape is undocumented, so any of its fields naming the API version (the problem type
 * `unsupportedApiVersion`, a title or details with "API version", or the revision itself) counts.
 */
export function isUnsupportedRevisionAnswer(
  status: number,
  problem: { type?: string | undefined; title?: string | undefined; details?: string | undefined } | undefined,
  tried: string,
): boolean {
  if (status !== 400 || problem === undefined) return false;
  const texts = [problem.type, problem.title, problem.details].filter((text): text is string => typeof text === 'string');
  return texts.some((text) => /api[-_ ]?version/i.test(text) || text.includes(tried));
}
