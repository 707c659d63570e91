/**
 * The x-api-version window: the revisions the simulated appliance accepts. Changeable while running,
 * so that a test can simulate an appliance upgrade (or downgrade) without a restart.
 */
import { isKnownApiVersion, KNOWN_API_VERSIONS, type ApiVersion } from './revisions';

/**
 * Every known revision. A real appliance accepts a rolling window of about four (VBAWS 8.0:
 * VBAWS_8_0_API_VERSIONS); the default is wider on purpose, so that a gateway configured for any
 * revision works against a default simulator. Narrow it with the `acceptedApiVersions` option,
 * SIM_API_VERSIONS, `setApiVersions` or `PUT /_simulator/api-versions`.
 */
export const DEFAULT_API_VERSIONS: readonly ApiVersion[] = KNOWN_API_VERSIONS;

/** The one window the vendor documents: what VBAWS 8.0 accepts. */
export const VBAWS_8_0_API_VERSIONS: readonly ApiVersion[] = ['1.4-rev0', '1.5-rev0', '1.5-rev1', '1.6-rev0'];

/** A window that names no revision or one the simulator does not know (it could not emit its shapes). */
export class ApiVersionWindowError extends Error {}

/** The versions, checked, without duplicates, oldest first. */
export function checkedWindow(versions: readonly unknown[]): ApiVersion[] {
  const unknown = versions.filter((version) => typeof version !== 'string' || !isKnownApiVersion(version));
  if (unknown.length > 0) {
    throw new ApiVersionWindowError(`Unknown API versions ${JSON.stringify(unknown)}; known: ${KNOWN_API_VERSIONS.join(', ')}.`);
  }
  if (versions.length === 0) throw new ApiVersionWindowError('The API version window must name at least one version.');
  return KNOWN_API_VERSIONS.filter((known) => versions.includes(known));
}

/** A comma-separated list, as SIM_API_VERSIONS gives it. */
export function parseApiVersionList(text: string): ApiVersion[] {
  return checkedWindow(
    text
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== ''),
  );
}

export class ApiVersionWindow {
  private accepted: readonly ApiVersion[];

  constructor(versions: readonly unknown[] = DEFAULT_API_VERSIONS) {
    this.accepted = checkedWindow(versions);
  }

  accepts(version: string): boolean {
    return (this.accepted as readonly string[]).includes(version);
  }

  /** Replaces the window at once: the next request sees the new one. Throws, unchanged, if invalid. */
  set(versions: readonly unknown[]): void {
    this.accepted = checkedWindow(versions);
  }

  list(): ApiVersion[] {
    return [...this.accepted];
  }
}
