/**
 * Cache-Control hints that follow the upstream cache rules. Resolvers lower the request's max-age;
 * the server turns it into `Cache-Control: max-age=N, private` (always PRIVATE: responses are
 * authorised per client, so a shared cache must never serve one client's answer to another).
 *
 * Kept per request rather than through Apollo's cacheControl plugin, whose per-field hook wraps every
 * resolver of every response (thousands on a dashboard) to learn what three resolvers already know.
 */
export class CachePolicy {
  private maxAge = Number.POSITIVE_INFINITY;
  private hinted = false;

  /** This part of the answer may be reused for at most `seconds`. */
  restrict(seconds: number): void {
    this.hinted = true;
    this.maxAge = Math.min(this.maxAge, Math.max(0, Math.floor(seconds)));
  }

  /** The header value for a response without errors. */
  header(): string {
    return this.hinted && this.maxAge > 0 && Number.isFinite(this.maxAge) ? `max-age=${this.maxAge}, private` : 'no-store';
  }
}
