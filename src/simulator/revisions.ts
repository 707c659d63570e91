/**
 * What each REST API revision knows: the one table the simulator consults for everything that
 * differs between revisions (session types, session fields, query parameters, page fields).
 * Facts from the vendored contract (src/upstream/spec): the 1.0-rev0 spec, what its `x-later-revision-facts` record of the
 * 1.7-rev0 reference, and real clients' samples. A revision knows all that its predecessors added.
 */

/** Oldest first. The map to products is the vendor's (1.0-rev0 VBAWS 2.0 … 1.8-rev0 VBAWS 10.0). */
export const KNOWN_API_VERSIONS = [
  '1.0-rev0',
  '1.1-rev0',
  '1.2-rev0',
  '1.3-rev0',
  '1.4-rev0',
  '1.5-rev0',
  '1.5-rev1',
  '1.6-rev0',
  '1.7-rev0',
  '1.8-rev0',
] as const;
export type ApiVersion = (typeof KNOWN_API_VERSIONS)[number];

/** Session fields that only later revisions emit; the 1.0-rev0 Session schema has none of them. */
export type LaterSessionField = 'name' | 'extendedSessionType';
/** Fields that only later revisions put on list pages beside totalCount and results. */
export type LaterPageField = 'offset' | 'limit';

/** What a revision adds to the one before it. */
interface Additions {
  /** Values of a session's `type`, and so of the `Types` filter. */
  sessionTypes?: readonly string[];
  sessionFields?: readonly LaterSessionField[];
  /** Query parameters of GET /sessions. Parameters a revision does not know are ignored, as ASP.NET binding does. */
  sessionParameters?: readonly string[];
  pageFields?: readonly LaterPageField[];
}

const TABLE: ReadonlyArray<{ version: ApiVersion; product: string; adds: Additions }> = [
  {
    version: '1.0-rev0',
    product: 'VBAWS 2.0',
    adds: {
      // The SessionTypes schema (what SessionsFilters binds). The path's own parameter list omits
      // ImportPolicy and TombstoneRetention, a documentation slip: the schema is what the server binds.
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
      sessionParameters: ['Offset', 'Limit', 'PolicyId', 'Status', 'Types', 'FromUtc', 'ToUtc', 'Usn', 'Sort', 'VmId'],
    },
  },
  { version: '1.1-rev0', product: 'VBAWS 3.0', adds: {} },
  { version: '1.2-rev0', product: 'VBAWS 4.0', adds: {} },
  { version: '1.3-rev0', product: 'VBAWS 5.0', adds: {} },
  { version: '1.4-rev0', product: 'VBAWS 6.0', adds: {} },
  // Seen on newer appliances; which revision introduced them is undocumented: 1.5-rev0 is this
  // simulator's long-standing choice, kept so that existing clients' expectations hold.
  { version: '1.5-rev0', product: 'VBAWS 7.0', adds: { sessionFields: ['name', 'extendedSessionType'] } },
  { version: '1.5-rev1', product: 'VBAWS 7.x', adds: {} },
  { version: '1.6-rev0', product: 'VBAWS 8.0', adds: {} },
  {
    version: '1.7-rev0',
    product: 'VBAWS 9.0',
    adds: {
      // The 1.7-rev0 reference's Types list also lacks SelfBackupActivity; the 1.0 path list shows
      // such lists are incomplete, so it is not treated as removed (no evidence that it was).
      sessionTypes: ['ConfigurationBackupActivity', 'ArchiveRetrieval', 'ArchiveRetrievalProlongation', 'ManualTask', 'FlrEfsTask'],
      sessionParameters: ['ParentSessionId'],
    },
  },
  // 1.8-rev0 list samples carry offset and limit.
  { version: '1.8-rev0', product: 'VBAWS 10.0', adds: { pageFields: ['offset', 'limit'] } },
];

/** Everything one revision knows, accumulated over the table. */
export interface Revision {
  readonly version: ApiVersion;
  readonly product: string;
  /** Canonical spellings (for enum binding), oldest first. */
  readonly sessionTypes: ReadonlySet<string>;
  readonly sessionFields: ReadonlySet<LaterSessionField>;
  /** Lower-case, as parameter names bind case-insensitively. */
  readonly sessionParameters: ReadonlySet<string>;
  readonly pageFields: ReadonlySet<LaterPageField>;
}

function accumulate(): Map<string, Revision> {
  const revisions = new Map<string, Revision>();
  let previous: Revision | undefined;
  for (const { version, product, adds } of TABLE) {
    const current: Revision = {
      version,
      product,
      sessionTypes: new Set([...(previous?.sessionTypes ?? []), ...(adds.sessionTypes ?? [])]),
      sessionFields: new Set([...(previous?.sessionFields ?? []), ...(adds.sessionFields ?? [])]),
      sessionParameters: new Set([...(previous?.sessionParameters ?? []), ...(adds.sessionParameters ?? []).map((p) => p.toLowerCase())]),
      pageFields: new Set([...(previous?.pageFields ?? []), ...(adds.pageFields ?? [])]),
    };
    revisions.set(version, current);
    previous = current;
  }
  return revisions;
}

const REVISIONS = accumulate();

/** Every later session field any revision adds: what an older revision must strip. */
export const LATER_SESSION_FIELDS: readonly LaterSessionField[] = TABLE.flatMap((row) => row.adds.sessionFields ?? []);
export const LATER_PAGE_FIELDS: readonly LaterPageField[] = TABLE.flatMap((row) => row.adds.pageFields ?? []);

export function isKnownApiVersion(version: string): version is ApiVersion {
  return REVISIONS.has(version);
}

/** The facts of a known revision; undefined for one the table does not hold. */
export function revisionOf(version: string): Revision | undefined {
  return REVISIONS.get(version);
}
