import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arrivals, configs, replayAndCheck } from '../test/arrivals.js';
import { latenesses } from '../test/late-clock.js';
import { slidingWindow, type Log } from './sliding-window.js';

describe('slidingWindow', () => {
  const window = slidingWindow(3, 100);

  it('grants up to maxCalls within any interval of timeWindow', () => {
    let log: Log | undefined;
    expect(window.remaining(log, 0)).toBe(3);
    log = window.take(log, 2, 0);
    log = window.take(log, 1, 40);
    expect(window.remaining(log, 99)).toBe(0);
    // The permits of 0 count in [0, 100): at 100 they are gone, the one of 40 is not.
    expect(window.remaining(log, 100)).toBe(2);
    expect(window.remaining(log, 140)).toBe(3);
  });

  it('finds the first time a cost fits: when enough of the oldest permits have expired', () => {
    let log = window.take(undefined, 1, 0);
    log = window.take(log, 1, 10);
    log = window.take(log, 1, 20);
    expect(window.earliest(log, 1)).toBe(100);
    expect(window.earliest(log, 2)).toBe(110);
    expect(window.earliest(log, 3)).toBe(120);
    expect(window.earliest(undefined, 3)).toBe(-Infinity);
    // Taking permits later forgets the ones that no longer count.
    const later = window.take(log, 2, 150);
    expect(window.earliest(later, 1)).toBe(-Infinity);
    expect(window.earliest(later, 2)).toBe(250);
  });

  it('knows when a key is fresh again, and copies without sharing', () => {
    const log = window.take(window.take(undefined, 1, 0), 1, 30);
    // Fresh again when the whole capacity fits.
    expect(window.earliest(log, 3)).toBe(130);
    const copy = window.copy(log);
    window.take(copy, 1, 50);
    expect(window.earliest(copy, 3)).toBe(150);
    expect(window.earliest(log, 3)).toBe(130);
  });

  it('records a permit at the clock millisecond rounded up, so that no interval ever holds more', () => {
    const one = slidingWindow(1, 10);
    const log = one.take(undefined, 1, 0.5);
    expect(one.earliest(log, 1)).toBe(11);
    // In real time the permit of 0.5 counts in [0.5, 10.5); kept as [1, 11), a little longer.
    expect(one.remaining(log, 10.2)).toBe(0);
    expect(one.remaining(log, 10.9)).toBe(0);
    expect(one.remaining(log, 11)).toBe(1);
  });

  it('keeps at most min(maxCalls, timeWindow + 1) entries however many permits, even for maxCalls 1e9', () => {
    const huge = slidingWindow(1e9, 1_000);
    let log: Log | undefined;
    let most = 0;
    for (let time = 0; time < 5_000; time += 0.01) {
      log = huge.take(log, 3, time);
      most = Math.max(most, (log.entries.length - log.head) / 2);
    }
    expect(most).toBeLessThanOrEqual(1_001);
    // Pruning forgets old entries for good: the array does not grow with time.
    expect(log!.entries.length).toBeLessThanOrEqual(2 * 2 * 1_001);
    const few = slidingWindow(2, 1_000);
    let small: Log | undefined;
    for (let time = 0; time < 10_000; time += 500) small = few.take(small, 1, time);
    expect((small!.entries.length - small!.head) / 2).toBeLessThanOrEqual(2);
  });

  it('never admits more than maxCalls in any interval, and nobody waits longer than needed (property)', async () => {
    await fc.assert(fc.asyncProperty(configs('sliding-window'), arrivals, (config, script) => replayAndCheck(config, script)), { numRuns: 150 });
  }, 60_000); // virtual time, but many runs: room for a loaded machine

  it('keeps the limit for the times calls really start when wake-ups come late, first come first served (property)', async () => {
    await fc.assert(fc.asyncProperty(configs('sliding-window'), arrivals, latenesses, replayAndCheck), { numRuns: 150 });
  }, 60_000); // virtual time, but many runs: room for a loaded machine
});
