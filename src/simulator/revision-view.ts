/**
 * What a client sees of the appliance's data at the revision it asks for. Sessions of a type its
 * revision does not know are not emitted at all (filtered, not mapped to an older type: there is no
 * faithful older name for them), so lists, counts and single reads agree; fields its revision does
 * not know are left out.
 */
import type { SessionDto } from '../upstream/dto';
import type { PageRequest } from './queries';
import { LATER_PAGE_FIELDS, LATER_SESSION_FIELDS, type LaterPageField, type Revision } from './revisions';

export function visibleTo(revision: Revision, session: SessionDto): boolean {
  return revision.sessionTypes.has(session.type);
}

export function presentSession(revision: Revision, session: SessionDto): SessionDto {
  const unknown = LATER_SESSION_FIELDS.filter((field) => !revision.sessionFields.has(field));
  if (unknown.length === 0) return session;
  const older = { ...session };
  for (const field of unknown) delete older[field];
  return older;
}

/** The paging fields a revision adds to list pages: the request's offset and limit (-1 = all). */
export function pageFields(revision: Revision, page: PageRequest): Partial<Record<LaterPageField, number>> {
  const values: Record<LaterPageField, number> = { offset: page.offset, limit: page.limit ?? -1 };
  return Object.fromEntries(LATER_PAGE_FIELDS.filter((field) => revision.pageFields.has(field)).map((field) => [field, values[field]]));
}
