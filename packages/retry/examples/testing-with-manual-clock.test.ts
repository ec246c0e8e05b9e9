import { ManualClock, RetryPolicy, type Clock } from '@cemaf/retry';
import { expect, it, vi } from 'vitest';

// The code under test takes a clock, the real one by default.
function createReportSender(send: () => Promise<string>, clock?: Clock) {
  const retry = new RetryPolicy({ maxAttempts: 5, initialDelay: 1_000, clock });
  return () => retry.execute(send);
}

it('gives up after 5 attempts and 15 s of backoff', async () => {
  const clock = new ManualClock();
  const send = vi.fn().mockRejectedValue(new Error('service down'));
  const result = createReportSender(send, clock)();
  const failure = expect(result).rejects.toThrow('service down');
  await clock.advance(14_999);
  expect(send).toHaveBeenCalledTimes(4); // the 5th attempt is due at 1 + 2 + 4 + 8 = 15 s
  await clock.advance(1); // run in microseconds, not 15 s
  await failure;
  expect(send).toHaveBeenCalledTimes(5);
});

it('recovers when the service comes back', async () => {
  const clock = new ManualClock();
  const send = vi.fn().mockRejectedValueOnce(new Error('blip')).mockResolvedValue('sent');
  const result = createReportSender(send, clock)();
  await clock.advance(1_000);
  await expect(result).resolves.toBe('sent');
});
