import { describe, expect, it } from 'vitest';
import { CemafError, CircuitOpenError, RateLimitExceededError, TimeoutError } from './errors.js';

describe('errors', () => {
  it('CircuitOpenError says when a trial call is allowed', () => {
    const error = new CircuitOpenError({ retryAfter: 2_500 });
    expect(error).toBeInstanceOf(CemafError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('CircuitOpenError');
    expect(error.code).toBe('CIRCUIT_OPEN');
    expect(error.retryAfter).toBe(2_500);
    expect(error.isolated).toBe(false);
    expect(error.message).toMatch(/open.*2500 ms/);
    expect(String(error)).toMatch(/^CircuitOpenError: /);
  });

  it('CircuitOpenError tells an isolated circuit apart', () => {
    const error = new CircuitOpenError({ retryAfter: Infinity, isolated: true });
    expect(error.isolated).toBe(true);
    expect(error.retryAfter).toBe(Infinity);
    expect(error.message).toMatch(/isolated/);
  });

  it('RateLimitExceededError carries retryAfter', () => {
    const error = new RateLimitExceededError({ retryAfter: 120 });
    expect(error.name).toBe('RateLimitExceededError');
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryAfter).toBe(120);
    expect(error.message).toMatch(/120 ms/);
  });

  it('TimeoutError carries the deadline', () => {
    const error = new TimeoutError({ timeout: 5_000 });
    expect(error.name).toBe('TimeoutError');
    expect(error.code).toBe('TIMEOUT');
    expect(error.timeout).toBe(5_000);
    expect(error.message).toMatch(/5000 ms/);
  });

  it('keeps a custom message and a cause', () => {
    const cause = new Error('socket hang up');
    const error = new CemafError('CUSTOM', 'Something failed', { cause });
    expect(error.name).toBe('CemafError');
    expect(error.cause).toBe(cause);
    expect(new TimeoutError({ timeout: 1 }, 'Too slow').message).toBe('Too slow');
    const storeDown = new Error('redis unreachable');
    expect(new RateLimitExceededError({ retryAfter: 5, cause: storeDown }).cause).toBe(storeDown);
    expect(new CircuitOpenError({ retryAfter: 5, cause: storeDown }).cause).toBe(storeDown);
    expect(new TimeoutError({ timeout: 5, cause: storeDown }).cause).toBe(storeDown);
    expect('cause' in new TimeoutError({ timeout: 5 })).toBe(false);
  });
});
