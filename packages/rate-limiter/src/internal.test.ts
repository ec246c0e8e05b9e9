import { describe, expect, it } from 'vitest';
import { checkCost, checkKey, checkSignal, LIMIT_OPTIONS, limitOf } from './internal.js';

describe('the internal entry', () => {
  it('fills in the defaults of a limit, with its capacity and policy window', () => {
    expect(limitOf('SharedLimiter', { maxCalls: 10, timeWindow: 1_000 })).toEqual({
      algorithm: 'sliding-window',
      maxCalls: 10,
      timeWindow: 1_000,
      capacity: 10,
      window: 1_000,
      maxWait: Infinity,
      maxQueue: Infinity,
      cost: { integer: true, min: 0, max: 10 },
    });
    expect(limitOf('SharedLimiter', { maxCalls: 10, timeWindow: 1_000, algorithm: 'token-bucket', burst: 25 })).toMatchObject({
      capacity: 25,
      window: 2_500,
    });
    expect(LIMIT_OPTIONS).toEqual(['maxCalls', 'timeWindow', 'algorithm', 'burst', 'maxWait', 'maxQueue']);
  });

  it('starts every refusal with the name of the limiter that checks', () => {
    expect(() => limitOf('SharedLimiter', { maxCalls: 0, timeWindow: 1_000 })).toThrow(
      new RangeError('SharedLimiter: maxCalls must be an integer >= 1, got 0'),
    );
    expect(() => limitOf('SharedLimiter', { maxCalls: 1, timeWindow: 1, burst: 2 })).toThrow(
      new TypeError(`SharedLimiter: burst applies only to algorithm 'token-bucket', got algorithm 'sliding-window'`),
    );
    expect(() => checkKey('SharedLimiter', 1)).toThrow(new TypeError('SharedLimiter: key must be a string, got 1'));
    expect(() => checkSignal('SharedLimiter', {})).toThrow(new TypeError('SharedLimiter: signal must be an AbortSignal, got an object'));
    expect(() => checkCost('SharedLimiter', 3, { integer: true, min: 0, max: 2 })).toThrow(new RangeError('SharedLimiter: cost must be an integer >= 0 and <= 2, got 3'));
  });

  it('passes good per-call input through, and a missing cost as 1', () => {
    const signal = new AbortController().signal;
    expect([checkKey('L', 'a'), checkKey('L', undefined)]).toEqual(['a', undefined]);
    expect(checkSignal('L', signal)).toBe(signal);
    const cost = { integer: true, min: 0, max: 2 };
    expect([checkCost('L', undefined, cost), checkCost('L', 0, cost), checkCost('L', 2, cost)]).toEqual([1, 0, 2]);
  });
});
