import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arrivals, configs, replayAndCheck } from '../test/arrivals.js';
import { latenesses } from '../test/late-clock.js';
import { fixedWindow } from './fixed-window.js';

describe('fixedWindow', () => {
  const windows = fixedWindow(2, 100);

  it("opens a window at a key's first permit, and the next at the first permit after it ends", () => {
    let window = windows.take(undefined, 1, 30);
    expect(window).toEqual({ start: 30, used: 1 });
    window = windows.take(window, 1, 129);
    expect(window).toEqual({ start: 30, used: 2 });
    expect(windows.remaining(window, 129)).toBe(0);
    expect(windows.remaining(window, 130)).toBe(2);
    expect(windows.take(window, 1, 175)).toEqual({ start: 175, used: 1 });
  });

  it('makes a cost that does not fit wait for the next window', () => {
    const window = windows.take(undefined, 1, 30);
    expect(windows.earliest(window, 1)).toBe(-Infinity);
    expect(windows.earliest(window, 2)).toBe(130);
    expect(windows.earliest(undefined, 2)).toBe(-Infinity);
    const copy = windows.copy(window);
    windows.take(copy, 1, 50);
    expect(window.used).toBe(1);
  });

  it('never admits more than maxCalls in a window, and nobody waits longer than needed (property)', async () => {
    await fc.assert(fc.asyncProperty(configs('fixed-window'), arrivals, (config, script) => replayAndCheck(config, script)), { numRuns: 150 });
  }, 60_000); // virtual time, but many runs: room for a loaded machine

  it('keeps the limit for the times calls really start when wake-ups come late, first come first served (property)', async () => {
    await fc.assert(fc.asyncProperty(configs('fixed-window'), arrivals, latenesses, replayAndCheck), { numRuns: 150 });
  }, 60_000); // virtual time, but many runs: room for a loaded machine
});
