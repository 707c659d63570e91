/**
 * Revision negotiation: which `x-api-version` a login tries, in which order, and what the gateway
 * remembers once an appliance accepted one. The token manager (token-manager.ts) owns the grants and
 * asks this module which revision to send them at.
 *
 * Negotiating (`auto`): the newest known revision first, one step down on each answer that refuses
 * the revision (isUnsupportedRevisionAnswer), settling on the first accepted. The settled revision
 * is tried first at the next login, so negotiation costs token calls once, not per query. Pinned: the
 * one revision, and a refusal names it as the cause.
 */
import type { Logger } from 'pino';
import { UpstreamHttpError, UpstreamUnsupportedRevisionError } from './errors';
import { isUnsupportedRevisionAnswer, NEGOTIATE, NEWEST_FIRST, productOf } from './revisions';

export class RevisionNegotiator {
  /** The revision the last login settled on: tried first next time. */
  private settled: string | undefined;

  /**
   * @param apiVersion a revision to pin (`1.6-rev0`) or `auto` to negotiate
   * @param onRevision told when a login settles on a revision (metrics)
   */
  constructor(
    private readonly apiVersion: string,
    private readonly logger: Logger,
    private readonly onRevision?: (revision: string) => void,
  ) {}

  get negotiating(): boolean {
    return this.apiVersion === NEGOTIATE;
  }

  /** The revision known without a session: the settled one, else the pinned one (undefined while negotiating). */
  get revision(): string | undefined {
    return this.settled ?? (this.negotiating ? undefined : this.apiVersion);
  }

  /**
   * Runs `attempt` (a password grant) at each candidate revision until the appliance accepts one,
   * and settles on it. An answer that does not refuse the revision ends the loop: `toError` names it.
   * When every candidate is refused, the error says which were tried (and whether one was pinned).
   */
  async negotiate<T>(attempt: (revision: string) => Promise<T>, toError: (error: unknown) => Error): Promise<T> {
    const refused: string[] = [];
    for (const revision of this.candidates()) {
      try {
        const result = await attempt(revision);
        this.settle(revision, refused);
        return result;
      } catch (error) {
        if (!refusesRevision(error, revision)) throw toError(error);
        refused.push(revision);
      }
    }
    throw new UpstreamUnsupportedRevisionError(refused, !this.negotiating);
  }

  /** The settled revision was refused (the appliance changed): start again from the newest. */
  reset(): void {
    this.settled = undefined;
  }

  /** `revision` was refused by a data call: forget it if it is the settled one. */
  forget(revision: string): void {
    if (this.settled === revision) this.settled = undefined;
  }

  private candidates(): readonly string[] {
    if (!this.negotiating) return [this.apiVersion];
    const first = this.settled;
    return first === undefined ? NEWEST_FIRST : [first, ...NEWEST_FIRST.filter((revision) => revision !== first)];
  }

  private settle(revision: string, refused: readonly string[]): void {
    if (this.settled === revision) return;
    this.settled = revision;
    this.logger.info(
      { revision, product: productOf(revision), negotiated: this.negotiating, refused },
      `Veeam API revision settled: ${revision}`,
    );
    this.onRevision?.(revision);
  }
}

/** Whether `error` is the appliance refusing the `x-api-version` it was sent. */
export function refusesRevision(error: unknown, revision: string): boolean {
  return (
    error instanceof UpstreamHttpError &&
    isUnsupportedRevisionAnswer(error.status, { type: error.problemType, title: error.problemTitle, details: error.details }, revision)
  );
}
