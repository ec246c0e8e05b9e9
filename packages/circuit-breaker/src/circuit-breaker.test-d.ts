import type { CircuitOpenError, ExecuteOptions, Policy } from '@cemaf/core';
import { pipeline } from '@cemaf/core';
import { describe, expectTypeOf, it } from 'vitest';
import {
  CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitBreakerSnapshot,
  type CircuitBreakerStats,
  type CircuitState,
  type IsolationRelease,
} from './index.js';

declare const breaker: CircuitBreaker;

describe('CircuitBreaker types', () => {
  it('is a Policy whose execute resolves to what fn returns, unwrapping promises', () => {
    expectTypeOf(breaker).toMatchTypeOf<Policy>();
    expectTypeOf(breaker.execute(() => 1)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(breaker.execute(async ({ signal, attempt }) => ({ signal, attempt }))).toEqualTypeOf<
      Promise<{ signal: AbortSignal; attempt: number }>
    >();
    expectTypeOf(breaker.execute).parameter(1).toEqualTypeOf<ExecuteOptions | undefined>();
    expectTypeOf(pipeline(breaker).execute(() => 'x')).toEqualTypeOf<Promise<string>>();
  });

  it('wrap keeps the parameters and unwraps the result', () => {
    const get = breaker.wrap(async (url: string, retries?: number) => ({ url, retries }));
    expectTypeOf(get).parameters.toEqualTypeOf<[url: string, retries?: number]>();
    expectTypeOf(get).returns.toEqualTypeOf<Promise<{ url: string; retries: number | undefined }>>();
  });

  it('types each event payload', () => {
    breaker.on('stateChange', (event) => expectTypeOf(event).toEqualTypeOf<{ readonly from: CircuitState; readonly to: CircuitState }>());
    breaker.on('success', (event) => expectTypeOf(event.duration).toEqualTypeOf<number>());
    breaker.on('failure', (event) => expectTypeOf(event.error).toEqualTypeOf<unknown>());
    breaker.on('reject', (event) => {
      expectTypeOf(event.error).toEqualTypeOf<CircuitOpenError>();
      expectTypeOf(event.state).toEqualTypeOf<'open' | 'half-open'>();
    });
    // @ts-expect-error not an event of the breaker
    breaker.on('retry', () => undefined);
  });

  it('types state, stats, snapshots and releases', () => {
    expectTypeOf(breaker.state).toEqualTypeOf<CircuitState>();
    expectTypeOf(breaker.stats()).toEqualTypeOf<CircuitBreakerStats>();
    expectTypeOf(breaker.isolate()).toEqualTypeOf<IsolationRelease>();
    expectTypeOf(breaker.isolate()).toMatchTypeOf<Disposable>();
    expectTypeOf(breaker.toJSON()).toEqualTypeOf<CircuitBreakerSnapshot>();
    expectTypeOf<CircuitBreakerOptions['initialState']>().toEqualTypeOf<CircuitBreakerSnapshot | undefined>();
  });

  it('takes a snapshot that matches its state, and resetTimeout as a number or a function', () => {
    new CircuitBreaker({ initialState: { state: 'open', remaining: 1_000 } });
    // @ts-expect-error an open snapshot says how long it has left
    new CircuitBreaker({ initialState: { state: 'open' } });
    new CircuitBreaker({ resetTimeout: (timesOpenedInARow) => 1_000 * 2 ** timesOpenedInARow });
    // @ts-expect-error the window has a size
    new CircuitBreaker({ window: { type: 'time' } });
  });
});
