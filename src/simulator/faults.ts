/**
 * Knobs that make the simulator misbehave on purpose, for tests and benchmarks: latency, random
 * errors, 429 with Retry-After, slow answers, dropped connections, a token endpoint that is down,
 * and deterministic fault rules. Random faults come from a seeded PRNG so runs are repeatable.
 */
import { mulberry32, type Random } from './prng';

export interface FaultRule {
  method?: string;
  pathIncludes: string;
  /** Only requests whose raw query string contains this (e.g. `Offset=400`). */
  queryIncludes?: string;
  status: number;
  errorCode?: string;
  /** How many matches it fires for; undefined = forever. */
  times?: number;
  /** Destroy the socket instead of answering. */
  drop?: boolean;
}

export interface SimulatorKnobs {
  latencyMs: number;
  jitterMs: number;
  error500Rate: number;
  error503Rate: number;
  rate429: number;
  retryAfterSeconds: number;
  slowRate: number;
  slowMs: number;
  dropRate: number;
  tokenEndpointDown: boolean;
  faultRules: FaultRule[];
  randomSeed: number;
}

export const DEFAULT_KNOBS: SimulatorKnobs = {
  latencyMs: 0,
  jitterMs: 0,
  error500Rate: 0,
  error503Rate: 0,
  rate429: 0,
  retryAfterSeconds: 1,
  slowRate: 0,
  slowMs: 1_000,
  dropRate: 0,
  tokenEndpointDown: false,
  faultRules: [],
  randomSeed: 42,
};

export type Fault =
  | { kind: 'none' }
  | { kind: 'drop' }
  | { kind: 'status'; status: number; errorCode?: string | undefined; retryAfterSeconds?: number };

export class FaultInjector {
  private random: Random;
  private seed: number;

  constructor(readonly knobs: SimulatorKnobs) {
    this.seed = knobs.randomSeed;
    this.random = mulberry32(knobs.randomSeed);
  }

  /** Added before answering: latency with jitter, and now and then a slow answer. */
  delayMs(): number {
    this.reseedIfChanged();
    const { latencyMs, jitterMs, slowRate, slowMs } = this.knobs;
    const jitter = jitterMs > 0 ? this.random() * jitterMs : 0;
    const slow = slowRate > 0 && this.random() < slowRate ? slowMs : 0;
    return latencyMs + jitter + slow;
  }

  decide(method: string, path: string, query: string, isTokenCall: boolean): Fault {
    this.reseedIfChanged();
    const rule = this.knobs.faultRules.find(
      (r) =>
        (r.method === undefined || r.method === method) &&
        path.includes(r.pathIncludes) &&
        (r.queryIncludes === undefined || query.includes(r.queryIncludes)) &&
        (r.times === undefined || r.times > 0),
    );
    if (rule) {
      if (rule.times !== undefined) rule.times -= 1;
      return rule.drop ? { kind: 'drop' } : { kind: 'status', status: rule.status, errorCode: rule.errorCode };
    }
    if (isTokenCall) {
      return this.knobs.tokenEndpointDown ? { kind: 'status', status: 503, errorCode: 'ServiceUnavailable' } : { kind: 'none' };
    }
    const { dropRate, error500Rate, error503Rate, rate429, retryAfterSeconds } = this.knobs;
    if (dropRate > 0 && this.random() < dropRate) return { kind: 'drop' };
    if (error500Rate > 0 && this.random() < error500Rate) return { kind: 'status', status: 500, errorCode: 'UnknownError' };
    if (error503Rate > 0 && this.random() < error503Rate) return { kind: 'status', status: 503, errorCode: 'ServiceUnavailable' };
    if (rate429 > 0 && this.random() < rate429) return { kind: 'status', status: 429, retryAfterSeconds };
    return { kind: 'none' };
  }

  /** Tests may set knobs.randomSeed at run time: restart the sequence from it. */
  private reseedIfChanged(): void {
    if (this.knobs.randomSeed !== this.seed) {
      this.seed = this.knobs.randomSeed;
      this.random = mulberry32(this.seed);
    }
  }
}
