import { afterEach, describe, expect, it, vi } from 'vitest';
import { schedule, systemClock, type Clock } from './clock.js';
import { ManualClock } from './manual-clock.js';

describe('schedule (the cancellable timer of cemaf clocks)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs the callback on the system clock after the delay, and cancel clears its timer', async () => {
    vi.useFakeTimers();
    const fired: string[] = [];
    schedule(systemClock, 100, () => fired.push('kept'));
    const cancel = schedule(systemClock, 50, () => fired.push('cancelled'));
    expect(vi.getTimerCount()).toBe(2);
    cancel();
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(fired).toEqual(['kept']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('runs the callback on a ManualClock when time reaches it, and cancel forgets it', async () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    schedule(clock, 30, () => fired.push(clock.now()));
    const cancel = schedule(clock, 10, () => fired.push(-1));
    schedule(clock, 20, () => fired.push(clock.now()));
    expect(clock.pendingSleeps).toBe(3);
    cancel();
    cancel();
    expect(clock.pendingSleeps).toBe(2);
    await clock.advance(30);
    expect(fired).toEqual([20, 30]);
    expect(clock.pendingSleeps).toBe(0);
  });

  it('runs a callback of no delay in a microtask, unless cancelled first', async () => {
    for (const clock of [systemClock, new ManualClock()]) {
      const fired: string[] = [];
      schedule(clock, 0, () => fired.push('zero'));
      schedule(clock, -5, () => fired.push('negative'))();
      expect(fired).toEqual([]);
      await Promise.resolve();
      expect(fired).toEqual(['zero']);
    }
  });

  it("goes through sleep and an AbortController on another clock, and cancels through the signal", async () => {
    const inner = new ManualClock();
    const sleep = vi.fn((ms: number, signal?: AbortSignal) => inner.sleep(ms, signal));
    const clock: Clock = { now: () => inner.now(), sleep };
    const fired: string[] = [];
    schedule(clock, 10, () => fired.push('kept'));
    schedule(clock, 5, () => fired.push('cancelled'))();
    expect(sleep).toHaveBeenCalledTimes(2);
    await inner.advance(10);
    expect(fired).toEqual(['kept']);
    expect(inner.pendingSleeps).toBe(0);
  });

  it('refuses a delay that is not a number', () => {
    expect(() => schedule(systemClock, Number.NaN, () => undefined)).toThrow(
      new RangeError('systemClock.schedule: ms must be a number, got NaN'),
    );
  });
});
