import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from './clock.js';

// systemClock is the real clock: these tests fake setTimeout and drive performance.now() by hand,
// so they can show what a real timer does (fire early, cap long delays) without waiting.
describe('systemClock', () => {
  let now = 0;

  beforeEach(() => {
    now = 0;
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    vi.spyOn(performance, 'now').mockImplementation(() => now);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  /** Moves both the timers and performance.now() forward. */
  function elapse(ms: number) {
    now += ms;
    vi.advanceTimersByTime(ms);
  }

  it('reads performance.now()', () => {
    now = 1234.5;
    expect(systemClock.now()).toBe(1234.5);
  });

  it('never calls back before sleep returns, even when the runtime pauses between two clock reads', async () => {
    const controller = new AbortController();
    // Each read is 50 ms after the one before: the pause outlasts the 25 ms sleep.
    vi.spyOn(performance, 'now').mockImplementation(() => (now += 50));
    const sleeping = systemClock.sleep(25, controller.signal);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(25);
    await expect(sleeping).resolves.toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resolves after the delay and leaves no timer', async () => {
    let done = false;
    const sleeping = systemClock.sleep(100).then(() => (done = true));
    elapse(99);
    await Promise.resolve();
    expect(done).toBe(false);
    elapse(1);
    await sleeping;
    expect(vi.getTimerCount()).toBe(0);
  });

  it('re-arms when the timer fires before now() has advanced by the delay', async () => {
    let done = false;
    const sleeping = systemClock.sleep(100).then(() => (done = true));
    // The timer fires, but the clock reads 1 ms short of the due time, as Node timers may.
    now += 99;
    vi.advanceTimersByTime(100);
    await Promise.resolve();
    expect(done).toBe(false);
    expect(vi.getTimerCount()).toBe(1);
    elapse(1);
    await sleeping;
    expect(done).toBe(true);
  });

  it('chains timers for delays above 2^31-1 ms', async () => {
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const delay = 2 ** 31 + 5_000;
    let done = false;
    const sleeping = systemClock.sleep(delay).then(() => (done = true));
    expect(setTimeoutSpy).toHaveBeenLastCalledWith(expect.any(Function), 2 ** 31 - 1);
    elapse(2 ** 31 - 1);
    await Promise.resolve();
    expect(done).toBe(false);
    expect(setTimeoutSpy).toHaveBeenLastCalledWith(expect.any(Function), 5_001);
    elapse(5_001);
    await sleeping;
    expect(done).toBe(true);
  });

  it('clears its timer at once when aborted and rejects with the reason', async () => {
    const controller = new AbortController();
    const sleeping = systemClock.sleep(60_000, controller.signal);
    expect(vi.getTimerCount()).toBe(1);
    const reason = new Error('cancelled');
    controller.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects without a timer when the signal is already aborted', async () => {
    await expect(systemClock.sleep(10, AbortSignal.abort('early'))).rejects.toBe('early');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('adds one listener to a signal that many sleeps share, and forgets each sleep once it resolves', async () => {
    const controller = new AbortController();
    const add = vi.spyOn(controller.signal, 'addEventListener');
    const sleeps = Array.from({ length: 20 }, () => systemClock.sleep(10, controller.signal));
    elapse(10);
    await Promise.all(sleeps);
    await systemClock.sleep(0, controller.signal);
    const later = systemClock.sleep(10, controller.signal);
    controller.abort('stop');
    await expect(later).rejects.toBe('stop');
    expect(add).toHaveBeenCalledOnce();
  });

  it('resolves at once for zero or negative delays, and rejects NaN', async () => {
    await systemClock.sleep(0);
    await systemClock.sleep(-1);
    expect(vi.getTimerCount()).toBe(0);
    await expect(systemClock.sleep(Number.NaN)).rejects.toThrow(
      new RangeError('systemClock.sleep: ms must be a number, got NaN'),
    );
  });
});

describe('systemClock under a test framework\'s fake timers', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sees fake timers installed after it was imported (they replace the globals)', async () => {
    vi.useFakeTimers();
    const start = systemClock.now();
    let done = false;
    const sleeping = systemClock.sleep(5_000).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(4_999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await sleeping;
    expect(systemClock.now() - start).toBe(5_000);
  });
});
