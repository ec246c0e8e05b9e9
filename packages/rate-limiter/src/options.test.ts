import { ManualClock, systemClock } from '@cemaf/core';
import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

const base = { maxCalls: 10, timeWindow: 1_000 };
const make = (options: unknown) => () => new RateLimiter(options as never);

/** Checks the class and the exact message of what a call rejected (or threw) with. */
async function refused(call: () => unknown, ErrorType: typeof TypeError | typeof RangeError, message: string) {
  const error: unknown = await Promise.resolve().then(call).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ErrorType);
  expect((error as Error).message).toBe(message);
}

describe('RateLimiter options', () => {
  it('takes maxCalls and timeWindow alone, with the documented defaults', () => {
    const limiter = new RateLimiter(base);
    expect(limiter.clock).toBe(systemClock);
    expect(limiter.tryAcquire({ cost: 0 })).toMatchObject({ limit: 10, remaining: 10 });
  });

  it('takes every option at its edge', () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({
      maxCalls: 1,
      timeWindow: 0.5,
      algorithm: 'token-bucket',
      burst: 1,
      maxWait: 0,
      maxQueue: 0,
      maxKeys: 1,
      clock,
    });
    expect(limiter.clock).toBe(clock);
    expect(new RateLimiter({ ...base, maxWait: Infinity, maxQueue: Infinity, maxKeys: Infinity })).toBeInstanceOf(RateLimiter);
    expect(new RateLimiter({ ...base, maxCalls: 1e9, algorithm: 'sliding-window' })).toBeInstanceOf(RateLimiter);
  });

  it.each([
    ['options that are not an object', 42, TypeError, 'RateLimiter: options must be an object, got 42'],
    [
      'an unknown option',
      { ...base, maxcalls: 5 },
      TypeError,
      'RateLimiter: unknown option "maxcalls"; the options are maxCalls, timeWindow, algorithm, burst, maxWait, maxQueue, maxKeys, clock',
    ],
    ['no maxCalls', { timeWindow: 1_000 }, TypeError, 'RateLimiter: maxCalls must be an integer >= 1, got undefined'],
    ['maxCalls not a number', { ...base, maxCalls: '10' }, TypeError, 'RateLimiter: maxCalls must be an integer >= 1, got "10"'],
    ['maxCalls 0', { ...base, maxCalls: 0 }, RangeError, 'RateLimiter: maxCalls must be an integer >= 1, got 0'],
    ['maxCalls not whole', { ...base, maxCalls: 2.5 }, RangeError, 'RateLimiter: maxCalls must be an integer >= 1, got 2.5'],
    ['maxCalls NaN', { ...base, maxCalls: Number.NaN }, RangeError, 'RateLimiter: maxCalls must be an integer >= 1, got NaN'],
    ['maxCalls Infinity', { ...base, maxCalls: Infinity }, RangeError, 'RateLimiter: maxCalls must be an integer >= 1, got Infinity'],
    ['no timeWindow', { maxCalls: 10 }, TypeError, 'RateLimiter: timeWindow must be a finite number > 0, got undefined'],
    ['timeWindow not a number', { ...base, timeWindow: '1s' }, TypeError, 'RateLimiter: timeWindow must be a finite number > 0, got "1s"'],
    ['timeWindow 0', { ...base, timeWindow: 0 }, RangeError, 'RateLimiter: timeWindow must be a finite number > 0, got 0'],
    ['timeWindow negative', { ...base, timeWindow: -5 }, RangeError, 'RateLimiter: timeWindow must be a finite number > 0, got -5'],
    ['timeWindow Infinity', { ...base, timeWindow: Infinity }, RangeError, 'RateLimiter: timeWindow must be a finite number > 0, got Infinity'],
    ['timeWindow NaN', { ...base, timeWindow: Number.NaN }, RangeError, 'RateLimiter: timeWindow must be a finite number > 0, got NaN'],
    [
      'an unknown algorithm',
      { ...base, algorithm: 'leaky-bucket' },
      RangeError,
      `RateLimiter: algorithm must be one of 'sliding-window', 'token-bucket', 'fixed-window', got "leaky-bucket"`,
    ],
    [
      'an algorithm that is not a string',
      { ...base, algorithm: 1 },
      TypeError,
      `RateLimiter: algorithm must be one of 'sliding-window', 'token-bucket', 'fixed-window', got 1`,
    ],
    [
      'burst without the token bucket',
      { ...base, burst: 5 },
      TypeError,
      `RateLimiter: burst applies only to algorithm 'token-bucket', got algorithm 'sliding-window'`,
    ],
    ['burst 0', { ...base, algorithm: 'token-bucket', burst: 0 }, RangeError, 'RateLimiter: burst must be an integer >= 1, got 0'],
    ['burst not whole', { ...base, algorithm: 'token-bucket', burst: 1.5 }, RangeError, 'RateLimiter: burst must be an integer >= 1, got 1.5'],
    ['burst not a number', { ...base, algorithm: 'token-bucket', burst: null }, TypeError, 'RateLimiter: burst must be an integer >= 1, got null'],
    ['maxWait negative', { ...base, maxWait: -1 }, RangeError, 'RateLimiter: maxWait must be a number >= 0, got -1'],
    ['maxWait NaN', { ...base, maxWait: Number.NaN }, RangeError, 'RateLimiter: maxWait must be a number >= 0, got NaN'],
    ['maxWait not a number', { ...base, maxWait: '1' }, TypeError, 'RateLimiter: maxWait must be a number >= 0, got "1"'],
    ['maxQueue negative', { ...base, maxQueue: -1 }, RangeError, 'RateLimiter: maxQueue must be an integer >= 0, got -1'],
    ['maxQueue not whole', { ...base, maxQueue: 0.5 }, RangeError, 'RateLimiter: maxQueue must be an integer >= 0, got 0.5'],
    ['maxKeys 0', { ...base, maxKeys: 0 }, RangeError, 'RateLimiter: maxKeys must be an integer >= 1, got 0'],
    ['maxKeys not whole', { ...base, maxKeys: 10.5 }, RangeError, 'RateLimiter: maxKeys must be an integer >= 1, got 10.5'],
    [
      'a clock that is not a Clock',
      { ...base, clock: { now: () => 0 } },
      TypeError,
      'RateLimiter: clock must be a Clock (an object with now() and sleep()), got an object',
    ],
  ])('refuses %s', async (_rule, options, ErrorType, message) => {
    await refused(make(options), ErrorType, message);
  });
});

describe('RateLimiter per-call input', () => {
  const limiter = new RateLimiter({ maxCalls: 2, timeWindow: 1_000, clock: new ManualClock() });

  it('refuses a cost above the capacity with a RangeError: it would wait forever', async () => {
    await refused(() => limiter.execute(() => 1, { cost: 3 }), RangeError, 'RateLimiter: cost must be an integer >= 0 and <= 2, got 3');
  });

  it('refuses a negative cost with a RangeError', async () => {
    await refused(() => limiter.acquire({ cost: -1 }), RangeError, 'RateLimiter: cost must be an integer >= 0 and <= 2, got -1');
  });

  it('refuses a cost that is not whole with a RangeError', async () => {
    expect(() => limiter.tryAcquire({ cost: 0.5 })).toThrow(RangeError);
    await refused(() => limiter.tryAcquire({ cost: 0.5 }), RangeError, 'RateLimiter: cost must be an integer >= 0 and <= 2, got 0.5');
  });

  it('refuses a cost that is not a number with a TypeError', async () => {
    await refused(() => limiter.execute(() => 1, { cost: '1' as never }), TypeError, 'RateLimiter: cost must be an integer >= 0 and <= 2, got "1"');
  });

  it('refuses a key that is not a string with a TypeError', async () => {
    await refused(() => limiter.execute(() => 1, { key: 7 as never }), TypeError, 'RateLimiter: key must be a string, got 7');
  });

  it('refuses a signal that is not an AbortSignal with a TypeError', async () => {
    await refused(() => limiter.acquire({ signal: { aborted: false } as never }), TypeError, 'RateLimiter: signal must be an AbortSignal, got an object');
  });

  it('refuses an fn that is not a function with a TypeError', async () => {
    await refused(() => limiter.execute('run' as never), TypeError, 'RateLimiter.execute: fn must be a function, got "run"');
  });

  it('never throws synchronously from execute or acquire, and takes nothing on bad input', () => {
    expect(() => void limiter.execute(() => 1, { cost: 99 }).catch(() => undefined)).not.toThrow();
    expect(() => void limiter.acquire({ key: {} as never }).catch(() => undefined)).not.toThrow();
    expect(limiter.tryAcquire({ cost: 0 }).remaining).toBe(2);
  });

  it('throws from tryAcquire, which is synchronous', () => {
    expect(() => limiter.tryAcquire({ cost: 3 })).toThrow(RangeError);
  });
});
