import { systemClock, type Clock } from '@cemaf/core';

export interface PollOptions {
  /** Time between two checks, in ms. @default 1000 */
  interval?: number;
  /** Give up when the next check would come later than this, in ms. @default 30000 */
  timeout?: number;
  /** Where time comes from. Tests pass a `ManualClock`. @default systemClock */
  clock?: Clock;
  /** Stops waiting at once. */
  signal?: AbortSignal;
}

/** Calls `check` until it says ready; resolves with how long that took, in ms. */
export async function pollUntilReady(
  check: () => boolean | Promise<boolean>,
  { interval = 1_000, timeout = 30_000, clock = systemClock, signal }: PollOptions = {},
): Promise<number> {
  const start = clock.now();
  while (!(await check())) {
    if (clock.now() - start + interval > timeout) throw new Error(`Not ready after ${timeout} ms`);
    await clock.sleep(interval, signal);
  }
  return clock.now() - start;
}
