import { ManualClock } from '@cemaf/core';
import { describe, expect, it } from 'vitest';
import { pollUntilReady } from './poll-until-ready.ts';

describe('pollUntilReady', () => {
  it('checks once a second until the service is ready', async () => {
    const clock = new ManualClock();
    let checks = 0;
    const ready = pollUntilReady(() => ++checks === 3, { clock });

    await clock.advance(2_000); // two intervals pass; the third check says ready

    await expect(ready).resolves.toBe(2_000);
    expect(checks).toBe(3);
  });

  it('does not check again before the interval has passed', async () => {
    const clock = new ManualClock();
    const stop = new AbortController();
    let checks = 0;
    const polling = pollUntilReady(() => (checks++, false), { clock, signal: stop.signal });

    await clock.advance(999);
    expect(checks).toBe(1);
    expect(clock.pendingSleeps).toBe(1); // it is waiting for the next check

    await clock.advance(1);
    expect(checks).toBe(2);

    stop.abort(new Error('test over'));
    await expect(polling).rejects.toThrow('test over');
    expect(clock.pendingSleeps).toBe(0);
  });

  it('gives up at the timeout', async () => {
    const clock = new ManualClock();
    const ready = pollUntilReady(() => false, { clock, timeout: 5_000 });
    // Attach the expectation before time moves, so the rejection is never unhandled.
    const gaveUp = expect(ready).rejects.toThrow('Not ready after 5000 ms');

    await clock.advance(5_000);

    await gaveUp;
    expect(clock.now()).toBe(5_000);
  });
});
