/**
 * Knobs that make the simulator misbehave on purpose, for tests and benchmarks: latency, random
 * errors, 429 with Retry-After, slow answers, dropped connections, a token endpoint that is down,
 * and deterministic fault rules. Random faults come from a seeded PRNG so runs are repeatable.
 */
import { mulberry32, type Random } from './prng';

export interface FaultRule {
  method?: string;
  pathIncludes: string;
  /**
   * Only requests whose raw query string contains this (e.g. `Offset=400`). Beyond the brief's
   * FaultRule: the export suites fail one page of a paged walk with it.
   */
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
  { kind: 'none' } | { kind: 'drop' } | { kind: 'status'; status: number; errorCode?: string | undefined; retryAfterSeconds?: number };

export class FaultInjector {
  private random: Random;
  private seed: number;

  constructor(readonly knobs: SimulatorKnobs) {
    this.seed = knobs.randomSeed;
    this.random = mulberry32(knobs.randomSeed);
  }

  /** Added before answering: latency with jitter on everything, and now and then a slow data answer. */
  delayMs(dataCall: boolean): number {
    this.reseedIfChanged();
    const { latencyMs, jitterMs, slowRate, slowMs } = this.knobs;
    const jitter = jitterMs > 0 ? this.random() * jitterMs : 0;
    const slow = dataCall && slowRate > 0 && this.random() < slowRate ? slowMs : 0;
    return latencyMs + jitter + slow;
  }

  /** Fault rules first (any call), then the token switch (token calls), then seeded random faults (data calls). */
  decide(method: string, path: string, query: string, call: 'token' | 'data' | 'other'): Fault {
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
    if (call === 'token') {
      return this.knobs.tokenEndpointDown ? { kind: 'status', status: 503, errorCode: 'ServiceUnavailable' } : { kind: 'none' };
    }
    if (call !== 'data') return { kind: 'none' };
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

/**
 * Applies a partial knobs object received by `PUT /_simulator/knobs` onto the live knobs.
 * Unknown keys are ignored; a known key with a wrong type refuses the whole patch.
 */
export function applyKnobPatch(knobs: SimulatorKnobs, patch: unknown): string | undefined {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return 'Body must be a JSON object of knobs.';
  const fields = patch as Record<string, unknown>;
  const keys = (Object.keys(DEFAULT_KNOBS) as Array<keyof SimulatorKnobs>).filter((key) => key in fields);
  for (const key of keys) {
    const value = fields[key];
    const expected = key === 'faultRules' ? 'array' : typeof DEFAULT_KNOBS[key];
    const actual = Array.isArray(value) ? 'array' : typeof value;
    if (actual !== expected || (typeof value === 'number' && !Number.isFinite(value))) return `${key} must be a ${expected}.`;
    if (key === 'faultRules' && !(value as unknown[]).every(isFaultRule)) return 'faultRules must be fault rules.';
  }
  for (const key of keys) (knobs as unknown as Record<string, unknown>)[key] = fields[key];
  return undefined;
}

function isFaultRule(value: unknown): value is FaultRule {
  if (typeof value !== 'object' || value === null) return false;
  const rule = value as Record<string, unknown>;
  return typeof rule['pathIncludes'] === 'string' && typeof rule['status'] === 'number';
}
