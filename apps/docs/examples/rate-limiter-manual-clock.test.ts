import { ManualClock, RateLimiter } from '@cemaf/rate-limiter';
import { expect, it } from 'vitest';

// Give the limiter a ManualClock and move time yourself: no real waiting, no flaky timing.
it('sends at most 2 reports a second', async () => {
  const clock = new ManualClock();
  const limiter = new RateLimiter({ maxCalls: 2, timeWindow: 1_000, clock });
  const sent: number[] = [];
  const send = limiter.wrap((report: string) => sent.push(clock.now()) && report);

  const results = Promise.all(['a', 'b', 'c', 'd', 'e'].map((report) => send(report)));
  await clock.advance(2_000); // runs every call due within 2 s

  expect(await results).toEqual(['a', 'b', 'c', 'd', 'e']);
  expect(sent).toEqual([0, 0, 1_000, 1_000, 2_000]);
});
