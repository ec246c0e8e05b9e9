import { ManualClock, systemClock } from '@cemaf/core';
import { RateLimiter } from '@cemaf/rate-limiter';
import { describe, expect, it } from 'vitest';
import type { RedisClientAdapter } from '@cemaf/redis-client';
import { RedisRateLimiter } from './redis-rate-limiter.js';

/** An adapter that answers nothing: option checks never reach Redis. */
const redis: RedisClientAdapter = {
  evalsha: () => Promise.reject(new Error('not reached')),
  eval: () => Promise.reject(new Error('not reached')),
};
const base = { redis, maxCalls: 10, timeWindow: 1_000 };
const make = (options: unknown) => () => new RedisRateLimiter(options as never);

/** Checks the class and the exact message of what a call rejected (or threw) with. */
async function refused(call: () => unknown, ErrorType: typeof TypeError | typeof RangeError, message: string) {
  const error: unknown = await Promise.resolve().then(call).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ErrorType);
  expect((error as Error).message).toBe(message);
}

describe('RedisRateLimiter options', () => {
  it('takes redis, maxCalls and timeWindow alone; waits sleep on systemClock', () => {
    expect(new RedisRateLimiter(base).clock).toBe(systemClock);
  });

  it('takes every option at its edge', () => {
    const clock = new ManualClock();
    const limiter = new RedisRateLimiter({
      redis,
      prefix: '',
      maxCalls: 1,
      timeWindow: 0.5,
      algorithm: 'token-bucket',
      burst: 1,
      maxWait: 0,
      maxQueue: 0,
      storeTimeout: 0.5,
      onStoreError: new RateLimiter({ maxCalls: 1, timeWindow: 1 }),
      clock,
    });
    expect(limiter.clock).toBe(clock);
    for (const onStoreError of ['fail-open', 'fail-closed'] as const) {
      expect(new RedisRateLimiter({ ...base, onStoreError, maxWait: Infinity, maxQueue: Infinity })).toBeInstanceOf(RedisRateLimiter);
    }
    expect(new RedisRateLimiter({ ...base, maxCalls: 1e9, prefix: 'app:limits:' })).toBeInstanceOf(RedisRateLimiter);
  });

  // One case per rule: RateLimiter's options.test.ts covers each rule's edges, checked by the same code.
  it.each([
    ['options that are not an object', 42, TypeError, 'RedisRateLimiter: options must be an object, got 42'],
    [
      'an unknown option',
      { ...base, maxKeys: 5 },
      TypeError,
      'RedisRateLimiter: unknown option "maxKeys"; the options are redis, prefix, maxCalls, timeWindow, algorithm, burst, maxWait, maxQueue, storeTimeout, onStoreError, clock',
    ],
    [
      'no redis',
      { maxCalls: 10, timeWindow: 1_000 },
      TypeError,
      'RedisRateLimiter: redis must be an ioredis or node-redis client or cluster, or a RedisClientAdapter (evalsha() and eval()), got undefined',
    ],
    [
      'a redis that is no client',
      { ...base, redis: { get: () => undefined } },
      TypeError,
      'RedisRateLimiter: redis must be an ioredis or node-redis client or cluster, or a RedisClientAdapter (evalsha() and eval()), got an object',
    ],
    ['a prefix that is not a string', { ...base, prefix: 7 }, TypeError, 'RedisRateLimiter: prefix must be a string without { or }, got 7'],
    [
      'a prefix with a brace',
      { ...base, prefix: 'app{1}:' },
      RangeError,
      'RedisRateLimiter: prefix must be a string without { or }, got "app{1}:"',
    ],
    ['no maxCalls', { redis, timeWindow: 1_000 }, TypeError, 'RedisRateLimiter: maxCalls must be an integer >= 1, got undefined'],
    ['maxCalls 0', { ...base, maxCalls: 0 }, RangeError, 'RedisRateLimiter: maxCalls must be an integer >= 1, got 0'],
    ['no timeWindow', { redis, maxCalls: 10 }, TypeError, 'RedisRateLimiter: timeWindow must be a finite number > 0, got undefined'],
    ['timeWindow 0', { ...base, timeWindow: 0 }, RangeError, 'RedisRateLimiter: timeWindow must be a finite number > 0, got 0'],
    [
      'an unknown algorithm',
      { ...base, algorithm: 'leaky-bucket' },
      RangeError,
      `RedisRateLimiter: algorithm must be one of 'sliding-window', 'token-bucket', 'fixed-window', got "leaky-bucket"`,
    ],
    [
      'burst without the token bucket',
      { ...base, algorithm: 'fixed-window', burst: 5 },
      TypeError,
      `RedisRateLimiter: burst applies only to algorithm 'token-bucket', got algorithm 'fixed-window'`,
    ],
    ['burst 0', { ...base, algorithm: 'token-bucket', burst: 0 }, RangeError, 'RedisRateLimiter: burst must be an integer >= 1, got 0'],
    ['maxWait negative', { ...base, maxWait: -1 }, RangeError, 'RedisRateLimiter: maxWait must be a number >= 0, got -1'],
    ['maxQueue not whole', { ...base, maxQueue: 0.5 }, RangeError, 'RedisRateLimiter: maxQueue must be an integer >= 0, got 0.5'],
    ['storeTimeout 0', { ...base, storeTimeout: 0 }, RangeError, 'RedisRateLimiter: storeTimeout must be a finite number > 0, got 0'],
    [
      'storeTimeout Infinity',
      { ...base, storeTimeout: Infinity },
      RangeError,
      'RedisRateLimiter: storeTimeout must be a finite number > 0, got Infinity',
    ],
    [
      'an unknown onStoreError',
      { ...base, onStoreError: 'fail-soft' },
      RangeError,
      `RedisRateLimiter: onStoreError must be 'fail-closed', 'fail-open' or a RateLimiter, got "fail-soft"`,
    ],
    [
      'an onStoreError that is no limiter',
      { ...base, onStoreError: { execute: () => undefined } },
      TypeError,
      `RedisRateLimiter: onStoreError must be 'fail-closed', 'fail-open' or a RateLimiter, got an object`,
    ],
    [
      'a clock that is not a Clock',
      { ...base, clock: { now: () => 0 } },
      TypeError,
      'RedisRateLimiter: clock must be a Clock (an object with now() and sleep()), got an object',
    ],
  ])('refuses %s', async (_rule, options, ErrorType, message) => {
    await refused(make(options), ErrorType, message);
  });
});

describe('RedisRateLimiter per-call input', () => {
  const limiter = new RedisRateLimiter({ ...base, maxCalls: 2 });

  it('refuses a cost above the capacity with a RangeError: it would wait forever', async () => {
    await refused(() => limiter.execute(() => 1, { cost: 3 }), RangeError, 'RedisRateLimiter: cost must be an integer >= 0 and <= 2, got 3');
  });

  it('refuses a negative cost with a RangeError', async () => {
    await refused(() => limiter.acquire({ cost: -1 }), RangeError, 'RedisRateLimiter: cost must be an integer >= 0 and <= 2, got -1');
  });

  it('refuses a cost that is not whole with a RangeError', async () => {
    await refused(() => limiter.tryAcquire({ cost: 0.5 }), RangeError, 'RedisRateLimiter: cost must be an integer >= 0 and <= 2, got 0.5');
  });

  it('refuses a cost that is not a number with a TypeError', async () => {
    await refused(() => limiter.tryAcquire({ cost: '1' as never }), TypeError, 'RedisRateLimiter: cost must be an integer >= 0 and <= 2, got "1"');
  });

  it('refuses a key that is not a string with a TypeError', async () => {
    await refused(() => limiter.execute(() => 1, { key: 7 as never }), TypeError, 'RedisRateLimiter: key must be a string, got 7');
    await refused(() => limiter.reset(7 as never), TypeError, 'RedisRateLimiter: key must be a string, got 7');
  });

  it('refuses a signal that is not an AbortSignal with a TypeError', async () => {
    await refused(() => limiter.acquire({ signal: {} as never }), TypeError, 'RedisRateLimiter: signal must be an AbortSignal, got an object');
    await refused(() => limiter.execute(() => 1, { signal: 'stop' as never }), TypeError, 'RedisRateLimiter: signal must be an AbortSignal, got "stop"');
  });

  it('refuses an fn that is not a function with a TypeError', async () => {
    await refused(() => limiter.execute('run' as never), TypeError, 'RedisRateLimiter.execute: fn must be a function, got "run"');
  });

  it('never throws synchronously, and asks Redis nothing on bad input', () => {
    expect(() => void limiter.execute(() => 1, { cost: 99 }).catch(() => undefined)).not.toThrow();
    expect(() => void limiter.acquire({ key: {} as never }).catch(() => undefined)).not.toThrow();
    expect(() => void limiter.tryAcquire({ cost: -1 }).catch(() => undefined)).not.toThrow();
    expect(limiter.stats()).toMatchObject({ inFlight: 0, storeErrors: 0 });
  });
});
