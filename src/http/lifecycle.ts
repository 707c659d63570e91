/**
 * The gateway's lifecycle as an explicit state machine (as Apollo Server's ServerState): each
 * transition allowed from one state only, so a second close() or a request during shutdown has one
 * defined answer.
 *
 *   starting ──ready()──▶ ready ──drain()──▶ draining ──stopped()──▶ stopped
 *       └───────────────────── failed(error) ─────────────────────────┘
 */
export type LifecycleState =
  | { phase: 'starting' }
  | { phase: 'ready'; since: number }
  | { phase: 'draining'; since: number }
  | { phase: 'stopped' }
  | { phase: 'failed'; error: unknown };

export class Lifecycle {
  private current: LifecycleState = { phase: 'starting' };

  constructor(private readonly now: () => number = Date.now) {}

  get state(): LifecycleState {
    return this.current;
  }

  get phase(): LifecycleState['phase'] {
    return this.current.phase;
  }

  ready(): void {
    this.expect('starting', 'ready');
    this.current = { phase: 'ready', since: this.now() };
  }

  drain(): void {
    this.expect('ready', 'draining');
    this.current = { phase: 'draining', since: this.now() };
  }

  stopped(): void {
    this.expect('draining', 'stopped');
    this.current = { phase: 'stopped' };
  }

  failed(error: unknown): void {
    this.current = { phase: 'failed', error };
  }

  private expect(phase: LifecycleState['phase'], next: string): void {
    if (this.current.phase !== phase) {
      throw new TypeError(`The gateway cannot become ${next} while ${this.current.phase}; it must be ${phase}.`);
    }
  }
}
