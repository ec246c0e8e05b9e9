import { ManualClock } from '@cemaf/core';
import type { RedisClientAdapter } from '@cemaf/redis-client';
import { describe, expect, it } from 'vitest';
import { settingsOf } from './options.js';
import { RedisCircuitBreaker } from './redis-circuit-breaker.js';

const never = () => new Promise<never>(() => undefined);
const redis: RedisClientAdapter = { evalsha: never, eval: never };
const base = { redis, name: 'payments' };

const refuse = (options: unknown, error: Error) => expect(() => new RedisCircuitBreaker(options as never)).toThrow(error);

describe('RedisCircuitBreaker options', () => {
  it('fills in the defaults, and names its keys and channel after prefix and name', () => {
    const settings = settingsOf(base);
    expect(settings).toMatchObject({
      name: 'payments',
      keys: ['cemaf:cb:{payments}', 'cemaf:cb:{payments}:t', 'cemaf:cb:{payments}:i'],
      channel: 'cemaf:cb:{payments}',
      flushInterval: 20,
      storeTimeout: 1_000,
      leaseTime: 10_000,
      serverTime: true,
      script: 'k 5 - 1 1 0 0 0 0 10000',
      fallback: {},
      initialState: '',
    });
    expect(settings.breaker).toMatchObject({ failureThreshold: 5, resetTimeout: 60_000, halfOpenMaxCalls: 1 });
  });

  it('hands the circuit breaker options to the local breaker, and tells the script the mode', () => {
    const clock = new ManualClock();
    const isFailure = () => true;
    const settings = settingsOf({ ...base, prefix: 'app:', failureThreshold: 3, failureWindow: 10_000, isFailure, clock, leaseTime: 500 });
    expect(settings.fallback).toEqual({ failureThreshold: 3, failureWindow: 10_000, isFailure, clock });
    expect(settings.serverTime).toBe(false);
    expect(settings.keys[0]).toBe('app:{payments}');
    expect(settings.script).toBe('w 3 10000 1 1 0 0 0 0 500');
    expect(settingsOf({ ...base, window: { size: 20, failureRate: 0.25 } }).script).toBe('n 5 - 1 1 20 20 0.25 1 10000');
    expect(settingsOf({ ...base, window: { type: 'time', size: 5_000, slowCallDuration: 100, slowCallRate: 0.5 } }).script).toBe(
      't 5 - 1 1 5000 100 0.5 0.5 10000',
    );
  });

  it('reads initialState as where the circuit starts in Redis', () => {
    expect(settingsOf({ ...base, initialState: { state: 'open', remaining: 1_500 } }).initialState).toBe('o 1500');
    expect(settingsOf({ ...base, initialState: { state: 'half-open', successes: 1 } }).initialState).toBe('h 1');
    expect(settingsOf({ ...base, initialState: { state: 'closed', failures: 2 } }).initialState).toBe('c 2');
    expect(settingsOf({ ...base, initialState: { state: 'closed' } }).initialState).toBe('c 0');
  });

  it('refuses options that are not an object, and a missing options object for want of redis', () => {
    refuse(7, new TypeError('RedisCircuitBreaker: options must be an object, got 7'));
    refuse(
      undefined,
      new TypeError(
        'RedisCircuitBreaker: redis must be an ioredis or node-redis client or cluster, or a RedisClientAdapter (evalsha() and eval()), got undefined',
      ),
    );
  });

  it('refuses unknown option names', () => {
    refuse(
      { ...base, channel: 'x' },
      new TypeError(
        'RedisCircuitBreaker: unknown option "channel"; the options are redis, name, prefix, flushInterval, storeTimeout, leaseTime, failureThreshold, failureWindow, resetTimeout, halfOpenMaxCalls, successThreshold, isFailure, window, clock, initialState',
      ),
    );
  });

  it('refuses a redis that is not a client or an adapter', () => {
    refuse(
      { ...base, redis: { get: () => undefined } },
      new TypeError(
        'RedisCircuitBreaker: redis must be an ioredis or node-redis client or cluster, or a RedisClientAdapter (evalsha() and eval()), got an object',
      ),
    );
  });

  it('refuses a missing name, and a name that is not a non-empty string without braces', () => {
    refuse({ redis }, new TypeError('RedisCircuitBreaker: name must be a string, got undefined'));
    refuse({ redis, name: 42 }, new TypeError('RedisCircuitBreaker: name must be a string, got 42'));
    refuse({ redis, name: '' }, new RangeError('RedisCircuitBreaker: name must be a non-empty string without { or }, got ""'));
    refuse({ redis, name: 'a{b}' }, new RangeError('RedisCircuitBreaker: name must be a non-empty string without { or }, got "a{b}"'));
  });

  it('refuses a prefix that is not a string without braces', () => {
    refuse({ ...base, prefix: 1 }, new TypeError('RedisCircuitBreaker: prefix must be a string, got 1'));
    refuse({ ...base, prefix: '{app}:' }, new RangeError('RedisCircuitBreaker: prefix must be a string without { or }, got "{app}:"'));
  });

  it('refuses a flushInterval that is not a finite number > 0', () => {
    refuse({ ...base, flushInterval: 0 }, new RangeError('RedisCircuitBreaker: flushInterval must be a finite number > 0, got 0'));
    refuse({ ...base, flushInterval: Infinity }, new RangeError('RedisCircuitBreaker: flushInterval must be a finite number > 0, got Infinity'));
    refuse({ ...base, flushInterval: '20' }, new TypeError('RedisCircuitBreaker: flushInterval must be a finite number > 0, got "20"'));
  });

  it('refuses a storeTimeout that is not a finite number > 0', () => {
    refuse({ ...base, storeTimeout: -1 }, new RangeError('RedisCircuitBreaker: storeTimeout must be a finite number > 0, got -1'));
    refuse({ ...base, storeTimeout: Number.NaN }, new RangeError('RedisCircuitBreaker: storeTimeout must be a finite number > 0, got NaN'));
  });

  it('refuses a leaseTime that is not a finite number > 0', () => {
    refuse({ ...base, leaseTime: 0 }, new RangeError('RedisCircuitBreaker: leaseTime must be a finite number > 0, got 0'));
  });

  it('checks the circuit breaker options as CircuitBreaker does, under its own name', () => {
    refuse({ ...base, failureThreshold: 0 }, new RangeError('RedisCircuitBreaker: failureThreshold must be an integer >= 1, got 0'));
    refuse({ ...base, halfOpenMaxCalls: 1.5 }, new RangeError('RedisCircuitBreaker: halfOpenMaxCalls must be an integer >= 1, got 1.5'));
    refuse(
      { ...base, failureWindow: 1_000, window: { size: 10 } },
      new TypeError('RedisCircuitBreaker: failureWindow must be left out when window is set (pick one rule), got 1000'),
    );
    refuse({ ...base, clock: {} }, new TypeError('RedisCircuitBreaker: clock must be a Clock (an object with now() and sleep()), got an object'));
  });

  it('refuses an initialState that is not a snapshot', () => {
    refuse({ ...base, initialState: { state: 'broken' } }, new RangeError(`RedisCircuitBreaker: initialState.state must be one of 'closed', 'open', 'half-open', got "broken"`));
    refuse({ ...base, initialState: { state: 'open' } }, new TypeError('RedisCircuitBreaker: initialState.remaining must be a finite number >= 0, got undefined'));
  });
});
