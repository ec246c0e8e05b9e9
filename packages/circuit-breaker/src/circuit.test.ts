import { ManualClock } from '@cemaf/core';
import { describe, expect, it } from 'vitest';
import { admit, closed, due, halfOpen, open, release, retryAfter, settle, stateOf, type HalfOpen } from './circuit.js';
import { resolveOptions } from './options.js';

const clock = new ManualClock(1_000);
const settings = (options: object = {}) => resolveOptions('CircuitBreaker', { clock, ...options });

describe('the circuit state machine', () => {
  it('keeps the same object while counting, and makes a new one on each transition', () => {
    const rules = settings({ failureThreshold: 2, resetTimeout: 500 });
    const start = closed();
    expect(settle(start, rules, true, false)).toBe(start);
    const opened = settle(start, rules, true, false);
    expect(opened).toEqual({ state: 'open', until: 1_500, streak: 1 });
    expect(due(opened, 1_499)).toBe(opened);
    const trial = due(opened, 1_500) as HalfOpen;
    expect(trial).toEqual({ state: 'half-open', streak: 1, trials: 0, successes: 0 });
    expect(settle(trial, rules, true, false)).toEqual({ state: 'open', until: 1_500, streak: 2 });
  });

  it('admits trial calls up to halfOpenMaxCalls and takes a slot back on release', () => {
    const rules = settings({ halfOpenMaxCalls: 2 });
    const trial = halfOpen(1);
    expect([admit(trial, rules), admit(trial, rules), admit(trial, rules)]).toEqual([true, true, false]);
    release(trial);
    expect(admit(trial, rules)).toBe(true);
    expect(admit(closed(), rules)).toBe(true);
    expect(admit({ state: 'isolated', holds: 1 }, rules)).toBe(false);
  });

  it('closes after successThreshold trial successes, and treats a slow trial as a failure', () => {
    const rules = settings({ successThreshold: 2 });
    const trial = halfOpen(3);
    trial.trials = 2;
    expect(settle(trial, rules, false, false)).toBe(trial);
    expect(settle(trial, rules, false, false)).toEqual(closed());
    expect(settle(halfOpen(3), rules, false, true)).toMatchObject({ state: 'open', streak: 4 });
  });

  it('says how long until a call may run, and what the circuit reads as', () => {
    expect(retryAfter({ state: 'open', until: 2_000, streak: 1 }, 1_200.4)).toBe(800);
    expect(retryAfter(halfOpen(1), 0)).toBe(0);
    expect(retryAfter({ state: 'isolated', holds: 1 }, 0)).toBe(Infinity);
    expect(stateOf({ state: 'isolated', holds: 2 })).toBe('open');
  });

  it('refuses a resetTimeout function result that is not a finite number >= 0', () => {
    for (const bad of [Number.NaN, Infinity, -1]) {
      expect(() => open(settings({ resetTimeout: () => bad }), 3)).toThrow(
        new RangeError(`CircuitBreaker: resetTimeout(3) must be a finite number >= 0, got ${bad}`),
      );
    }
    expect(() => open(settings({ resetTimeout: () => '10' }), 1)).toThrow(
      new TypeError('CircuitBreaker: resetTimeout(1) must be a finite number >= 0, got "10"'),
    );
    expect(() => open(settings({ resetTimeout: () => undefined }), 1)).toThrow(
      new TypeError('CircuitBreaker: resetTimeout(1) must be a finite number >= 0, got undefined'),
    );
  });
});
