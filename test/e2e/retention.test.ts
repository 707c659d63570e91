/**
 * A finished request leaves nothing for the young generation to keep. V8's scavenger takes every
 * old-generation object as alive, so a request object reachable from one (an object literal's
 * getter: V8 makes its AccessorPair in the old generation) survives every scavenge until the next
 * full collection: a dashboard's whole data, copied twice and then mark-compacted, the largest
 * share of the gateway's CPU on a cold dashboard. Two of those were ours (eslint.config.mjs forbids
 * them now) and one is Apollo's gateway request context (patches/@apollo+server+*.patch).
 *
 * Measured with V8's own collectors, not with timings (test/helpers/heap-probe.ts), in a worker
 * thread whose young generation the test sets: V8 sizes it from the host's memory otherwise, and on a
 * small host a scavenge would run in the middle of every request.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LeftoverRound } from '../helpers/heap-probe';

/** 16 MB semi-spaces (a young generation is three of them): what V8 gives a host with 8 GiB or more. */
const YOUNG_GENERATION_MB = 48;

function probe(rounds: number): Promise<LeftoverRound[]> {
  const worker = new Worker(join(__dirname, '..', 'helpers', 'heap-probe.worker.js'), {
    workerData: { rounds, warmUp: 30 },
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (message: { rounds?: LeftoverRound[]; error?: string }) => {
      void worker.terminate();
      if (message.rounds) resolve(message.rounds);
      else reject(new Error(message.error));
    });
  });
}

describe('after a cold dashboard is answered', () => {
  it('one scavenge frees nearly all it allocated', async () => {
    const rounds = await probe(10);
    const clean = rounds.filter((round) => round.collections === 0);
    expect(clean.length).toBeGreaterThanOrEqual(5);
    for (const { allocated } of clean) expect(allocated).toBeGreaterThan(1_000_000);
    // The dashboard's data (parsed pages, models, the result) is ~0.5 MB. A request object held from
    // the old generation keeps all of it through the scavenge, in every round: ~20% or more of what
    // it allocated. Some rounds also find part of it still held for a moment after the answer (more
    // of them on a loaded machine, whatever the wait): the least a round kept is the measure.
    const keptShare = clean.map(({ allocated, kept }) => Math.round((100 * kept) / allocated));
    expect(Math.min(...keptShare)).toBeLessThan(10);
  });
});
