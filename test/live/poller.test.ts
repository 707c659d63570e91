/** The poller's interval trigger: one poll at a time, however subscribers come and go. */
import { intervalTrigger } from '../../src/live/poller';

describe('intervalTrigger', () => {
  it('runs one poll loop even when the last subscriber leaves and another arrives while a poll is in flight', async () => {
    const inFlight: Array<() => void> = [];
    const poll = (): Promise<void> => new Promise<void>((resolve) => inFlight.push(resolve));
    const trigger = intervalTrigger(60_000);
    trigger.start(poll);
    for (let i = 0; i < 5; i += 1) {
      trigger.stop();
      trigger.start(poll);
    }
    expect(inFlight).toHaveLength(1);
    inFlight[0]?.();
    await new Promise((resolve) => setImmediate(resolve));
    trigger.start(poll); // already scheduled: no second loop
    expect(inFlight).toHaveLength(1);
    trigger.stop();
  });
});
