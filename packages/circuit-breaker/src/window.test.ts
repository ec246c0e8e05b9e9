import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WindowSettings } from './options.js';
import { createWindow, record, slide, tripped } from './window.js';

const settings = (window: Partial<WindowSettings> & Pick<WindowSettings, 'type' | 'size'>): WindowSettings => ({
  minimumCalls: 1,
  failureRate: 0.5,
  slowCallDuration: Infinity,
  slowCallRate: 1,
  ...window,
});

const totals = ({ calls, failures, slowCalls }: { calls: number; failures: number; slowCalls: number }) => ({
  calls,
  failures,
  slow: slowCalls,
});

describe('count window', () => {
  it('keeps the last size calls', () => {
    const count = settings({ type: 'count', size: 3 });
    const window = createWindow(count);
    record(window, count, 0, true, true);
    record(window, count, 0, false, false);
    record(window, count, 0, true, false);
    expect(totals(window)).toEqual({ calls: 3, failures: 2, slow: 1 });
    record(window, count, 0, false, false);
    expect(totals(window)).toEqual({ calls: 3, failures: 1, slow: 0 });
  });
});

describe('time window', () => {
  it('drops a call once the window has moved ten tenths past the tenth it ended in', () => {
    const time = settings({ type: 'time', size: 1_000 });
    const window = createWindow(time);
    record(window, time, 99, true, false);
    slide(window, time, 999);
    expect(window.calls).toBe(1);
    slide(window, time, 1_000);
    expect(window.calls).toBe(0);
  });

  it('works on clocks that read negative', () => {
    const time = settings({ type: 'time', size: 100 });
    const window = createWindow(time);
    record(window, time, -55, true, false);
    record(window, time, -1, false, false);
    expect(totals(window)).toEqual({ calls: 2, failures: 1, slow: 0 });
    slide(window, time, 41);
    expect(totals(window)).toEqual({ calls: 1, failures: 0, slow: 0 });
  });
});

describe('tripped', () => {
  it('needs minimumCalls, then a failure rate or a slow-call rate at its threshold', () => {
    const rules = settings({ type: 'count', size: 10, minimumCalls: 4, failureRate: 0.5, slowCallDuration: 10, slowCallRate: 0.75 });
    const window = createWindow(rules);
    record(window, rules, 0, true, false);
    record(window, rules, 0, true, false);
    record(window, rules, 0, false, false);
    expect(tripped(window, rules)).toBe(false);
    record(window, rules, 0, false, false);
    expect(tripped(window, rules)).toBe(true);
    const slowRules = { ...rules, failureRate: 1 };
    const slowWindow = createWindow(slowRules);
    for (const slow of [true, true, false]) record(slowWindow, slowRules, 0, false, slow);
    record(slowWindow, slowRules, 0, false, false);
    expect(tripped(slowWindow, slowRules)).toBe(false);
    record(slowWindow, slowRules, 0, false, true);
    record(slowWindow, slowRules, 0, false, true);
    expect(totals(slowWindow)).toEqual({ calls: 6, failures: 0, slow: 4 });
    expect(tripped(slowWindow, slowRules)).toBe(false);
    record(slowWindow, slowRules, 0, false, true);
    record(slowWindow, slowRules, 0, false, true);
    expect(tripped(slowWindow, slowRules)).toBe(true);
  });
});

describe('windows against a plain list of calls', () => {
  it('agree on the totals after any sequence of calls and quiet spells', () => {
    const steps = fc.array(
      fc.oneof(
        fc.record({ advance: fc.integer({ min: 0, max: 300 }) }),
        fc.record({ failed: fc.boolean(), slow: fc.boolean() }),
      ),
      { maxLength: 80, size: 'max' },
    );
    const rules = fc.oneof(
      fc.record({ type: fc.constant('count' as const), size: fc.integer({ min: 1, max: 12 }) }),
      fc.record({ type: fc.constant('time' as const), size: fc.integer({ min: 1, max: 200 }) }),
    );
    fc.assert(
      fc.property(rules, fc.integer({ min: -500, max: 500 }), steps, (rule, start, sequence) => {
        const windowSettings = settings(rule);
        const window = createWindow(windowSettings);
        const calls: { end: number; failed: boolean; slow: boolean }[] = [];
        let now = start;
        const bucket = (time: number) => Math.floor((time * 10) / rule.size);
        for (const step of sequence) {
          if ('advance' in step) {
            now += step.advance;
            slide(window, windowSettings, now);
          } else {
            calls.push({ end: now, ...step });
            record(window, windowSettings, now, step.failed, step.slow);
          }
          const inWindow =
            rule.type === 'count' ? calls.slice(-rule.size) : calls.filter((call) => bucket(call.end) > bucket(now) - 10);
          const expected = {
            calls: inWindow.length,
            failures: inWindow.filter((call) => call.failed).length,
            slow: inWindow.filter((call) => call.slow).length,
          };
          const actual = totals(window);
          // expect() only on a mismatch: it is slow, and this runs thousands of times.
          if (actual.calls !== expected.calls || actual.failures !== expected.failures || actual.slow !== expected.slow) {
            expect(actual).toEqual(expected);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
