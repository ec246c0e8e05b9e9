import { describe, expect, it } from 'vitest';
import { systemClock } from './clock.js';
import { ManualClock } from './manual-clock.js';
import {
  choiceOption,
  clockOption,
  describe as describeValue,
  functionOption,
  numberOption,
  optionsOf,
  requiredOption,
} from './options.js';

describe('option checks', () => {
  it('names the owner, the option, the rule and the value', () => {
    expect(() => numberOption('RetryPolicy', 'maxAttempts', 0, { integer: true, min: 1, infinity: true }, 3)).toThrow(
      new RangeError('RetryPolicy: maxAttempts must be an integer >= 1, got 0'),
    );
  });

  it('refuses NaN, Infinity where a finite number is needed, negatives and non-integers', () => {
    const rule = { integer: true, min: 1 };
    expect(() => numberOption('X', 'n', Number.NaN, rule, 1)).toThrow(new RangeError('X: n must be an integer >= 1, got NaN'));
    expect(() => numberOption('X', 'n', Infinity, rule, 1)).toThrow(new RangeError('X: n must be an integer >= 1, got Infinity'));
    expect(() => numberOption('X', 'n', -1, rule, 1)).toThrow(new RangeError('X: n must be an integer >= 1, got -1'));
    expect(() => numberOption('X', 'n', 1.5, rule, 1)).toThrow(new RangeError('X: n must be an integer >= 1, got 1.5'));
    expect(() => numberOption('X', 'ms', -0.5, { min: 0 }, 1)).toThrow(
      new RangeError('X: ms must be a finite number >= 0, got -0.5'),
    );
    expect(() => numberOption('X', 'rate', 1.5, { above: 0, max: 1 }, 1)).toThrow(
      new RangeError('X: rate must be a finite number > 0 and <= 1, got 1.5'),
    );
    expect(() => numberOption('X', 'rate', 2, { max: 1 }, 1)).toThrow(new RangeError('X: rate must be a finite number <= 1, got 2'));
  });

  it('refuses a wrong type with a TypeError', () => {
    expect(() => numberOption('X', 'n', '3', { min: 0 }, 1)).toThrow(new TypeError('X: n must be a finite number >= 0, got "3"'));
    expect(() => functionOption('X', 'retryIf', true)).toThrow(new TypeError('X: retryIf must be a function, got true'));
  });

  it('takes valid values, Infinity where allowed, and gives the fallback for undefined', () => {
    expect(numberOption('X', 'n', 5, { integer: true, min: 1 }, 1)).toBe(5);
    expect(numberOption('X', 'n', Infinity, { integer: true, min: 1, infinity: true }, 1)).toBe(Infinity);
    expect(numberOption('X', 'n', undefined, { min: 0 }, 42)).toBe(42);
    expect(numberOption('X', 'n', undefined, { min: 0 }, undefined)).toBeUndefined();
    const retryIf = () => true;
    expect(functionOption('X', 'retryIf', retryIf)).toBe(retryIf);
    expect(functionOption('X', 'retryIf', undefined)).toBeUndefined();
  });

  it('checks choices', () => {
    const kinds = ['constant', 'linear'] as const;
    expect(choiceOption('X', 'backoff', undefined, kinds, 'linear')).toBe('linear');
    expect(choiceOption('X', 'backoff', 'constant', kinds, 'linear')).toBe('constant');
    expect(() => choiceOption('X', 'backoff', 'cubic', kinds, 'linear')).toThrow(
      new RangeError(`X: backoff must be one of 'constant', 'linear', got "cubic"`),
    );
    expect(() => choiceOption('X', 'backoff', 3, kinds, 'linear')).toThrow(TypeError);
  });

  it('refuses unknown option names and options that are not an object', () => {
    expect(optionsOf('X', undefined, ['a'])).toEqual({});
    expect(optionsOf('X', { a: 1 }, ['a', 'b'])).toEqual({ a: 1 });
    expect(() => optionsOf('X', { a: 1, maxAttempt: 3 }, ['a', 'maxAttempts'])).toThrow(
      new TypeError('X: unknown option "maxAttempt"; the options are a, maxAttempts'),
    );
    expect(() => optionsOf('X', 5, ['a'])).toThrow(new TypeError('X: options must be an object, got 5'));
    expect(() => optionsOf('X', null, ['a'])).toThrow(new TypeError('X: options must be an object, got null'));
    expect(() => optionsOf('X', [], ['a'])).toThrow(new TypeError('X: options must be an object, got an array'));
  });

  it('requires what is required', () => {
    expect(() => requiredOption('RateLimiter', 'maxCalls', undefined, 'an integer >= 1')).toThrow(
      new TypeError('RateLimiter: maxCalls must be an integer >= 1, got undefined'),
    );
    expect(() => requiredOption('RateLimiter', 'maxCalls', 5, 'an integer >= 1')).not.toThrow();
  });

  it('checks a clock', () => {
    expect(clockOption('X', undefined)).toBe(systemClock);
    const clock = new ManualClock();
    expect(clockOption('X', clock)).toBe(clock);
    expect(() => clockOption('X', { now: () => 1 })).toThrow(
      new TypeError('X: clock must be a Clock (an object with now() and sleep()), got an object'),
    );
    expect(() => clockOption('X', null)).toThrow(TypeError);
  });

  it('describes values for messages', () => {
    expect(describeValue('a')).toBe('"a"');
    expect(describeValue(1n)).toBe('1');
    expect(describeValue([1])).toBe('an array');
    expect(describeValue(null)).toBe('null');
    expect(describeValue(Symbol('s'))).toBe('Symbol(s)');
    expect(describeValue(() => 1)).toBe('a function');
    expect(describeValue({})).toBe('an object');
    expect(describeValue(undefined)).toBe('undefined');
  });
});
