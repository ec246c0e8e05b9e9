import { ManualClock, systemClock } from '@cemaf/core';
import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './index.js';
import { resolveOptions } from './options.js';

const refuse = (options: unknown, error: Error) =>
  expect(() => new CircuitBreaker(options as never)).toThrow(error);

describe('CircuitBreaker options', () => {
  it('fills in the defaults', () => {
    const clock = new ManualClock();
    expect(resolveOptions('CircuitBreaker', { clock })).toEqual({
      clock,
      failureThreshold: 5,
      failureWindow: Infinity,
      resetTimeout: 60_000,
      halfOpenMaxCalls: 1,
      successThreshold: 1,
      isFailure: undefined,
      window: undefined,
    });
    expect(resolveOptions('CircuitBreaker', undefined).clock).toBe(systemClock);
    expect(resolveOptions('CircuitBreaker', { window: { size: 20 } }).window).toEqual({
      type: 'count',
      size: 20,
      minimumCalls: 20,
      failureRate: 0.5,
      slowCallDuration: Infinity,
      slowCallRate: 1,
    });
    expect(resolveOptions('CircuitBreaker', { window: { type: 'time', size: 10_000 } }).window).toMatchObject({
      minimumCalls: 100,
    });
  });

  it('names another owner, and lets it add options of its own', () => {
    expect(() => resolveOptions('RedisCircuitBreaker', { failureThreshold: 0 })).toThrow(
      new RangeError('RedisCircuitBreaker: failureThreshold must be an integer >= 1, got 0'),
    );
    expect(resolveOptions('RedisCircuitBreaker', { name: 'payments' }, ['name']).failureThreshold).toBe(5);
  });

  it('refuses options that are not an object', () => {
    refuse(7, new TypeError('CircuitBreaker: options must be an object, got 7'));
  });

  it('refuses unknown option names', () => {
    refuse(
      { timeout: 5 },
      new TypeError(
        'CircuitBreaker: unknown option "timeout"; the options are failureThreshold, failureWindow, resetTimeout, halfOpenMaxCalls, successThreshold, isFailure, window, initialState, clock',
      ),
    );
  });

  it('refuses a failureThreshold that is not an integer >= 1', () => {
    refuse({ failureThreshold: 0 }, new RangeError('CircuitBreaker: failureThreshold must be an integer >= 1, got 0'));
    refuse({ failureThreshold: 2.5 }, new RangeError('CircuitBreaker: failureThreshold must be an integer >= 1, got 2.5'));
    refuse({ failureThreshold: Infinity }, new RangeError('CircuitBreaker: failureThreshold must be an integer >= 1, got Infinity'));
    refuse({ failureThreshold: '5' }, new TypeError('CircuitBreaker: failureThreshold must be an integer >= 1, got "5"'));
  });

  it('refuses a failureWindow that is not a finite number > 0', () => {
    refuse({ failureWindow: 0 }, new RangeError('CircuitBreaker: failureWindow must be a finite number > 0, got 0'));
    refuse({ failureWindow: Number.NaN }, new RangeError('CircuitBreaker: failureWindow must be a finite number > 0, got NaN'));
  });

  it('refuses a resetTimeout that is not a finite number >= 0', () => {
    refuse({ resetTimeout: -1 }, new RangeError('CircuitBreaker: resetTimeout must be a finite number >= 0, got -1'));
    refuse({ resetTimeout: Infinity }, new RangeError('CircuitBreaker: resetTimeout must be a finite number >= 0, got Infinity'));
  });

  it('refuses a resetTimeout that is neither a number nor a function', () => {
    refuse({ resetTimeout: '1s' }, new TypeError('CircuitBreaker: resetTimeout must be a finite number >= 0 or a function, got "1s"'));
  });

  it('refuses a halfOpenMaxCalls that is not an integer >= 1', () => {
    refuse({ halfOpenMaxCalls: 0 }, new RangeError('CircuitBreaker: halfOpenMaxCalls must be an integer >= 1, got 0'));
  });

  it('refuses a successThreshold that is not an integer >= 1', () => {
    refuse({ successThreshold: -2 }, new RangeError('CircuitBreaker: successThreshold must be an integer >= 1, got -2'));
  });

  it('refuses an isFailure that is not a function', () => {
    refuse({ isFailure: true }, new TypeError('CircuitBreaker: isFailure must be a function, got true'));
  });

  it('refuses a clock that is not a Clock', () => {
    refuse({ clock: {} }, new TypeError('CircuitBreaker: clock must be a Clock (an object with now() and sleep()), got an object'));
  });

  it('refuses a window that is not an object', () => {
    refuse({ window: 100 }, new TypeError('CircuitBreaker: window must be an object, got 100'));
  });

  it('refuses failureWindow together with window: pick one rule', () => {
    refuse(
      { failureWindow: 1_000, window: { size: 10 } },
      new TypeError('CircuitBreaker: failureWindow must be left out when window is set (pick one rule), got 1000'),
    );
  });

  it('refuses failureThreshold together with window: the window has no count rule', () => {
    refuse(
      { failureThreshold: 3, window: { size: 10 } },
      new TypeError('CircuitBreaker: failureThreshold must be left out when window is set (pick one rule), got 3'),
    );
  });

  it('refuses unknown window option names', () => {
    refuse(
      { window: { size: 10, rate: 0.5 } },
      new TypeError(
        'CircuitBreaker: window: unknown option "rate"; the options are type, size, minimumCalls, failureRate, slowCallDuration, slowCallRate',
      ),
    );
  });

  it("refuses a window.type other than 'count' or 'time'", () => {
    refuse({ window: { type: 'sliding', size: 10 } }, new RangeError(`CircuitBreaker: window.type must be one of 'count', 'time', got "sliding"`));
  });

  it('requires window.size', () => {
    refuse({ window: { type: 'time' } }, new TypeError('CircuitBreaker: window.size must be a number, got undefined'));
  });

  it('refuses a count window.size that is not an integer >= 1', () => {
    refuse({ window: { size: 2.5 } }, new RangeError('CircuitBreaker: window.size must be an integer >= 1, got 2.5'));
  });

  it('refuses a time window.size that is not a finite number > 0', () => {
    refuse({ window: { type: 'time', size: 0 } }, new RangeError('CircuitBreaker: window.size must be a finite number > 0, got 0'));
  });

  it('refuses a window.minimumCalls that is not an integer >= 1', () => {
    refuse({ window: { size: 10, minimumCalls: 0 } }, new RangeError('CircuitBreaker: window.minimumCalls must be an integer >= 1, got 0'));
  });

  it('refuses a window.failureRate outside (0, 1]', () => {
    refuse({ window: { size: 10, failureRate: 0 } }, new RangeError('CircuitBreaker: window.failureRate must be a finite number > 0 and <= 1, got 0'));
    refuse({ window: { size: 10, failureRate: 50 } }, new RangeError('CircuitBreaker: window.failureRate must be a finite number > 0 and <= 1, got 50'));
  });

  it('refuses a window.slowCallDuration that is not a finite number >= 0', () => {
    refuse({ window: { size: 10, slowCallDuration: -1 } }, new RangeError('CircuitBreaker: window.slowCallDuration must be a finite number >= 0, got -1'));
  });

  it('refuses a window.slowCallRate outside (0, 1]', () => {
    refuse(
      { window: { size: 10, slowCallDuration: 100, slowCallRate: 1.5 } },
      new RangeError('CircuitBreaker: window.slowCallRate must be a finite number > 0 and <= 1, got 1.5'),
    );
  });

  it('refuses a window.slowCallRate without window.slowCallDuration', () => {
    refuse(
      { window: { size: 10, slowCallRate: 0.5 } },
      new TypeError('CircuitBreaker: window.slowCallRate must be left out unless window.slowCallDuration is set, got 0.5'),
    );
  });

  it('refuses an initialState that is not an object', () => {
    refuse({ initialState: 'open' }, new TypeError('CircuitBreaker: initialState must be a snapshot from toJSON() (an object), got "open"'));
  });

  it('refuses an initialState.state that is not a state', () => {
    refuse({ initialState: { state: 'isolated' } }, new RangeError(`CircuitBreaker: initialState.state must be one of 'closed', 'open', 'half-open', got "isolated"`));
    refuse({ initialState: {} }, new TypeError(`CircuitBreaker: initialState.state must be one of 'closed', 'open', 'half-open', got undefined`));
  });

  it('requires initialState.remaining for an open circuit, a finite number >= 0', () => {
    refuse({ initialState: { state: 'open' } }, new TypeError('CircuitBreaker: initialState.remaining must be a finite number >= 0, got undefined'));
    refuse({ initialState: { state: 'open', remaining: -5 } }, new RangeError('CircuitBreaker: initialState.remaining must be a finite number >= 0, got -5'));
    // JSON turns Infinity into null.
    refuse({ initialState: { state: 'open', remaining: null } }, new TypeError('CircuitBreaker: initialState.remaining must be a finite number >= 0, got null'));
  });

  it('checks every number of a snapshot, whatever its state', () => {
    refuse({ initialState: { state: 'closed', remaining: -1 } }, new RangeError('CircuitBreaker: initialState.remaining must be a finite number >= 0, got -1'));
  });

  it('refuses initialState.failures and initialState.successes that are not integers >= 0', () => {
    refuse({ initialState: { state: 'closed', failures: 1.5 } }, new RangeError('CircuitBreaker: initialState.failures must be an integer >= 0, got 1.5'));
    refuse({ initialState: { state: 'half-open', successes: -1 } }, new RangeError('CircuitBreaker: initialState.successes must be an integer >= 0, got -1'));
  });
});
