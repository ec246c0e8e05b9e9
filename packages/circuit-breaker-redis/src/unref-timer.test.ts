import { afterEach, describe, expect, it, vi } from 'vitest';
import { unrefTimer } from './unref-timer.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('unrefTimer', () => {
  it('runs its callback once the time has passed, unless cancelled', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const ran = vi.fn();
    unrefTimer(100, ran);
    const cancelled = vi.fn();
    const cancel = unrefTimer(100, cancelled);
    await vi.advanceTimersByTimeAsync(99);
    expect(ran).not.toHaveBeenCalled();
    cancel();
    await vi.advanceTimersByTimeAsync(1);
    expect(ran).toHaveBeenCalledTimes(1);
    expect(cancelled).not.toHaveBeenCalled();
  });

  it('does not keep the process alive where timers can be unref’d', () => {
    const timers = vi.spyOn(globalThis, 'setTimeout');
    const cancel = unrefTimer(60_000, () => undefined);
    expect((timers.mock.results[0]!.value as NodeJS.Timeout).hasRef()).toBe(false);
    cancel();
  });
});
