import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  constant,
  decorrelatedJitter,
  equalJitter,
  exponential,
  exponentialDelay,
  fibonacci,
  fullJitter,
  linear,
  type Backoff,
} from './backoff.js';

/** Delays of a backoff for attempts 1..n, feeding each back as the next previousDelay. */
function sequence(backoff: Backoff, n: number): number[] {
  const delays: number[] = [];
  let previousDelay = 0;
  for (let attempt = 1; attempt <= n; attempt++) {
    previousDelay = backoff({ attempt, error: new Error('x'), previousDelay });
    delays.push(previousDelay);
  }
  return delays;
}

describe('backoff factories: exact delays', () => {
  it('constant waits the same delay every time', () => {
    expect(sequence(constant(250), 4)).toEqual([250, 250, 250, 250]);
    expect(sequence(constant(0), 2)).toEqual([0, 0]);
  });

  it('linear waits initialDelay * attempt, capped', () => {
    expect(sequence(linear({ initialDelay: 100 }), 4)).toEqual([100, 200, 300, 400]);
    expect(sequence(linear({ initialDelay: 100, maxDelay: 250 }), 4)).toEqual([100, 200, 250, 250]);
    expect(sequence(linear(), 2)).toEqual([1_000, 2_000]);
  });

  it('exponential waits initialDelay * multiplier^(attempt - 1), capped', () => {
    expect(sequence(exponential({ initialDelay: 100 }), 5)).toEqual([100, 200, 400, 800, 1_600]);
    expect(sequence(exponential({ initialDelay: 10, multiplier: 3 }), 4)).toEqual([10, 30, 90, 270]);
    expect(sequence(exponential({ initialDelay: 100, maxDelay: 500 }), 5)).toEqual([100, 200, 400, 500, 500]);
    expect(sequence(exponential(), 6)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000]);
  });

  it('fibonacci waits initialDelay * F(attempt): 1, 1, 2, 3, 5, 8..., capped', () => {
    expect(sequence(fibonacci({ initialDelay: 10 }), 8)).toEqual([10, 10, 20, 30, 50, 80, 130, 210]);
    expect(sequence(fibonacci({ initialDelay: 10, maxDelay: 60 }), 7)).toEqual([10, 10, 20, 30, 50, 60, 60]);
  });

  it('stays at the cap, never NaN or Infinity, for very late attempts', () => {
    for (const backoff of [exponential({ maxDelay: 7 }), fibonacci({ maxDelay: 7 }), linear({ maxDelay: 7 })]) {
      expect(backoff({ attempt: 5_000, previousDelay: 7 })).toBe(7);
    }
    for (const backoff of [exponential({ initialDelay: 0 }), fibonacci({ initialDelay: 0 }), fullJitter({ initialDelay: 0 })]) {
      expect(backoff({ attempt: 5_000, previousDelay: 0 })).toBe(0);
    }
    expect(exponentialDelay(0, 2, 2_000, 100)).toBe(0);
  });

  it('fullJitter multiplies the capped exponential delay by the draw', () => {
    const draws = [0, 0.5, 0.25];
    const backoff = fullJitter({ initialDelay: 100, maxDelay: 300, random: () => draws.shift()! });
    expect(sequence(backoff, 3)).toEqual([0, 100, 75]);
  });

  it('equalJitter waits half the capped exponential delay plus the draw times the other half', () => {
    const draws = [0, 0.5, 0.999];
    const backoff = equalJitter({ initialDelay: 100, maxDelay: 300, random: () => draws.shift()! });
    expect(sequence(backoff, 3)).toEqual([50, 150, 150 + 0.999 * 150]);
  });

  it('decorrelatedJitter draws in [initialDelay, previous * 3), starting from initialDelay, capped', () => {
    const draws = [0, 0.5, 0.999, 0.5, 0.999];
    const backoff = decorrelatedJitter({ initialDelay: 100, maxDelay: 1_000, random: () => draws.shift()! });
    // previous 0 counts as 100: [100, 300) -> 100; [100, 300) -> 200; [100, 600) -> 599.5;
    // [100, 1798.5) -> 949.25; [100, 2847.75) -> capped to 1000.
    expect(sequence(backoff, 5)).toEqual([100, 200, 100 + 0.999 * 500, 949.25, 1_000]);
  });
});

describe('backoff factories: jitter bounds (property tests)', () => {
  // Delays are ms: 0, or from a microsecond up (subnormal floats would only test float rounding).
  const ms = (max: number) => fc.oneof(fc.constant(0), fc.double({ min: 1e-3, max, noNaN: true }));
  const settings = fc.record({
    initialDelay: ms(1e6),
    maxDelay: ms(1e7),
    multiplier: fc.double({ min: 1, max: 10, noNaN: true }),
  });
  const draw = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
  const attempt = fc.integer({ min: 1, max: 2_000 });

  it('fullJitter stays in [0, min(maxDelay, exponential delay)]', () => {
    fc.assert(
      fc.property(settings, draw, attempt, (options, random, n) => {
        const ceiling = exponentialDelay(options.initialDelay, options.multiplier, n, options.maxDelay);
        const delay = fullJitter({ ...options, random: () => random })({ attempt: n, previousDelay: 0 });
        return delay >= 0 && delay <= ceiling && ceiling <= options.maxDelay;
      }),
    );
  });

  it('equalJitter stays in [ceiling / 2, ceiling]', () => {
    fc.assert(
      fc.property(settings, draw, attempt, (options, random, n) => {
        const ceiling = exponentialDelay(options.initialDelay, options.multiplier, n, options.maxDelay);
        const delay = equalJitter({ ...options, random: () => random })({ attempt: n, previousDelay: 0 });
        return delay >= ceiling / 2 && delay <= ceiling;
      }),
    );
  });

  it('decorrelatedJitter stays in [min(initialDelay, maxDelay), maxDelay] and below previous * multiplier', () => {
    fc.assert(
      fc.property(settings, draw, fc.double({ min: 0, max: 1e7, noNaN: true }), (options, random, previousDelay) => {
        const delay = decorrelatedJitter({ ...options, random: () => random })({ attempt: 1, previousDelay });
        const low = Math.min(options.initialDelay, options.maxDelay);
        const high = Math.max(previousDelay, options.initialDelay) * options.multiplier;
        return delay >= low && delay <= options.maxDelay && delay <= Math.max(high, low);
      }),
    );
  });

  it('the deterministic backoffs never exceed maxDelay and never shrink', () => {
    fc.assert(
      fc.property(settings, attempt, (options, n) => {
        const { initialDelay, maxDelay } = options;
        const backoffs = [linear({ initialDelay, maxDelay }), exponential(options), fibonacci({ initialDelay, maxDelay })];
        return backoffs.every((backoff) => {
          const now = backoff({ attempt: n + 1, previousDelay: 0 });
          const before = backoff({ attempt: n, previousDelay: 0 });
          return now <= options.maxDelay && now >= before && before >= 0;
        });
      }),
    );
  });

  it('uses Math.random when no random source is given', () => {
    const backoff = fullJitter({ initialDelay: 100, maxDelay: 100 });
    const delays = Array.from({ length: 200 }, () => backoff({ attempt: 1, previousDelay: 0 }));
    expect(delays.every((delay) => delay >= 0 && delay < 100)).toBe(true);
    expect(new Set(delays).size).toBeGreaterThan(1);
  });
});

describe('backoff factories: option validation', () => {
  it.each<[string, () => unknown, typeof TypeError | typeof RangeError, string]>([
    ['constant without a delay', () => constant(undefined as never), TypeError, 'constant: delay must be a finite number >= 0, got undefined'],
    ['constant with a negative delay', () => constant(-1), RangeError, 'constant: delay must be a finite number >= 0, got -1'],
    ['constant with Infinity', () => constant(Infinity), RangeError, 'constant: delay must be a finite number >= 0, got Infinity'],
    ['constant with a string', () => constant('1' as never), TypeError, 'constant: delay must be a finite number >= 0, got "1"'],
    ['linear with a negative initialDelay', () => linear({ initialDelay: -1 }), RangeError, 'linear: initialDelay must be a finite number >= 0, got -1'],
    ['linear with a NaN maxDelay', () => linear({ maxDelay: Number.NaN }), RangeError, 'linear: maxDelay must be a finite number >= 0, got NaN'],
    ['linear with a multiplier', () => linear({ multiplier: 2 } as never), TypeError, 'linear: unknown option "multiplier"; the options are initialDelay, maxDelay'],
    ['exponential with a multiplier below 1', () => exponential({ multiplier: 0 }), RangeError, 'exponential: multiplier must be a finite number >= 1, got 0'],
    ['exponential with an Infinity maxDelay', () => exponential({ maxDelay: Infinity }), RangeError, 'exponential: maxDelay must be a finite number >= 0, got Infinity'],
    ['exponential with options that are not an object', () => exponential(3 as never), TypeError, 'exponential: options must be an object, got 3'],
    ['exponential with a random source', () => exponential({ random: Math.random } as never), TypeError, 'exponential: unknown option "random"; the options are initialDelay, maxDelay, multiplier'],
    ['fibonacci with an unknown option', () => fibonacci({ delay: 1 } as never), TypeError, 'fibonacci: unknown option "delay"; the options are initialDelay, maxDelay'],
    ['fullJitter with a random that is not a function', () => fullJitter({ random: 0.5 as never }), TypeError, 'fullJitter: random must be a function, got 0.5'],
    ['equalJitter with a string initialDelay', () => equalJitter({ initialDelay: '1' as never }), TypeError, 'equalJitter: initialDelay must be a finite number >= 0, got "1"'],
    ['decorrelatedJitter with a multiplier below 1', () => decorrelatedJitter({ multiplier: 0.9 }), RangeError, 'decorrelatedJitter: multiplier must be a finite number >= 1, got 0.9'],
  ])('refuses %s', (_, make, ErrorType, message) => {
    expect(make).toThrow(new ErrorType(message));
    expect(make).toThrow(ErrorType);
  });
});
