import type { CircuitOpenError, ExecuteOptions, Policy } from '@cemaf/core';
import { pipeline } from '@cemaf/core';
import type { CircuitBreaker, IsolationRelease } from '@cemaf/circuit-breaker';
import type { RedisClientAdapter } from '@cemaf/redis-client';
import { Cluster, Redis } from 'ioredis';
import { createClient, createCluster } from 'redis';
import { describe, expectTypeOf, it } from 'vitest';
import {
  RedisCircuitBreaker,
  type CircuitBreakerSnapshot,
  type CircuitState,
  type RedisCircuitBreakerOptions,
  type RedisCircuitBreakerStats,
  type RedisIsolationRelease,
} from './index.js';

declare const breaker: RedisCircuitBreaker;

describe('RedisCircuitBreaker types', () => {
  it('takes either client or cluster, or an adapter, and a name; nothing else as redis', () => {
    void new RedisCircuitBreaker({ redis: new Redis(), name: 'a' });
    void new RedisCircuitBreaker({ redis: new Cluster([]), name: 'a' });
    void new RedisCircuitBreaker({ redis: createClient(), name: 'a' });
    void new RedisCircuitBreaker({ redis: createCluster({ rootNodes: [] }), name: 'a' });
    const adapter: RedisClientAdapter = { evalsha: () => Promise.resolve(1), eval: () => Promise.resolve(1) };
    void new RedisCircuitBreaker({ redis: adapter, name: 'a', failureThreshold: 5, resetTimeout: 60_000 });
    // @ts-expect-error not a Redis client
    void new RedisCircuitBreaker({ redis: { get: () => 1 }, name: 'a' });
    // @ts-expect-error the circuit has a name
    void new RedisCircuitBreaker({ redis: adapter });
    // @ts-expect-error an open snapshot says how long it has left
    void new RedisCircuitBreaker({ redis: adapter, name: 'a', initialState: { state: 'open' } });
  });

  it('is a Policy like CircuitBreaker: execute resolves to what fn returns', () => {
    expectTypeOf(breaker).toMatchTypeOf<Policy>();
    expectTypeOf(breaker.execute(() => 1)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(breaker.execute).parameter(1).toEqualTypeOf<ExecuteOptions | undefined>();
    expectTypeOf(pipeline(breaker).execute(async () => 'x')).toEqualTypeOf<Promise<string>>();
    const get = breaker.wrap(async (url: string) => url.length);
    expectTypeOf(get).toEqualTypeOf<(url: string) => Promise<number>>();
  });

  it('has CircuitBreaker’s members, so code written for one takes the other where it only calls them', () => {
    const use = (policy: Pick<CircuitBreaker, 'execute' | 'wrap' | 'state' | 'toJSON' | 'on'>) => policy;
    use(breaker);
    expectTypeOf(breaker.state).toEqualTypeOf<CircuitState>();
    expectTypeOf(breaker.toJSON()).toEqualTypeOf<CircuitBreakerSnapshot>();
    expectTypeOf(breaker.isolate()).toEqualTypeOf<RedisIsolationRelease>();
    expectTypeOf(breaker.isolate()).toMatchTypeOf<IsolationRelease>();
    expectTypeOf(breaker.reset()).toEqualTypeOf<Promise<void>>();
    expectTypeOf(breaker.stats()).toEqualTypeOf<RedisCircuitBreakerStats>();
    expectTypeOf(breaker.stats().mode).toEqualTypeOf<'shared' | 'local'>();
  });

  it('types each event payload, its own included', () => {
    breaker.on('stateChange', (event) => expectTypeOf(event).toEqualTypeOf<{ readonly from: CircuitState; readonly to: CircuitState }>());
    breaker.on('reject', (event) => expectTypeOf(event.error).toEqualTypeOf<CircuitOpenError>());
    breaker.on('fallback', (event) => expectTypeOf(event.error).toEqualTypeOf<unknown>());
    breaker.on('rejoin', (event) => expectTypeOf(event.after).toEqualTypeOf<number>());
    // @ts-expect-error not an event of the breaker
    breaker.on('storeError', () => undefined);
  });

  it('is an AsyncDisposable, for await using', () => {
    expectTypeOf(breaker).toMatchTypeOf<AsyncDisposable>();
    expectTypeOf(breaker.close()).toEqualTypeOf<Promise<void>>();
    expectTypeOf<RedisCircuitBreakerOptions['flushInterval']>().toEqualTypeOf<number | undefined>();
  });
});
