import { pipeline, type ExecutionContext, type Policy } from '@cemaf/core';
import { RateLimiter, type RateLimitDecision, type RateLimitExecuteOptions } from '@cemaf/rate-limiter';
import { Cluster, Redis } from 'ioredis';
import { createClient, createCluster } from 'redis';
import { describe, expectTypeOf, it } from 'vitest';
import type { RedisClientAdapter } from '@cemaf/redis-client';
import { RedisRateLimiter } from './redis-rate-limiter.js';

declare const limiter: RedisRateLimiter;
declare const retry: Policy;
const limits = { maxCalls: 10, timeWindow: 1_000 };

describe('RedisRateLimiter types', () => {
  it('takes either client or cluster, or an adapter, and nothing else as redis', () => {
    void new RedisRateLimiter({ redis: new Redis(), ...limits });
    void new RedisRateLimiter({ redis: new Cluster([]), ...limits });
    void new RedisRateLimiter({ redis: createClient(), ...limits });
    void new RedisRateLimiter({ redis: createCluster({ rootNodes: [] }), ...limits });
    const adapter: RedisClientAdapter = { evalsha: () => Promise.resolve(1), eval: () => Promise.resolve(1) };
    void new RedisRateLimiter({ redis: adapter, ...limits });
    // @ts-expect-error not a Redis client
    void new RedisRateLimiter({ redis: { get: () => 1 }, ...limits });
    // @ts-expect-error redis is required
    void new RedisRateLimiter(limits);
  });

  it('takes onStoreError as a mode or an in-memory RateLimiter', () => {
    void new RedisRateLimiter({ redis: new Redis(), ...limits, onStoreError: 'fail-open' });
    void new RedisRateLimiter({ redis: new Redis(), ...limits, onStoreError: new RateLimiter(limits) });
    // @ts-expect-error not a mode
    void new RedisRateLimiter({ redis: new Redis(), ...limits, onStoreError: 'fail-soft' });
  });

  it('is a policy whose execute resolves to what fn returns', () => {
    expectTypeOf(limiter).toExtend<Policy<RateLimitExecuteOptions>>();
    expectTypeOf(limiter.execute(() => 1)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(limiter.execute(async (ctx) => ctx.attempt > 1)).toEqualTypeOf<Promise<boolean>>();
    expectTypeOf(limiter.execute).parameter(0).parameter(0).toEqualTypeOf<ExecutionContext>();
  });

  it('lets the key through pipeline()', () => {
    const policy = pipeline(retry, limiter);
    void policy.execute(() => 1, { key: 'tenant-9', cost: 3 });
    // @ts-expect-error not an option of any policy in the pipeline
    void policy.execute(() => 1, { tenant: 'x' });
  });

  it('decides tryAcquire in a promise, with the same decision as RateLimiter', () => {
    expectTypeOf(limiter.tryAcquire({ key: 'k' })).toEqualTypeOf<Promise<RateLimitDecision>>();
    expectTypeOf(limiter.reset()).toEqualTypeOf<Promise<void>>();
  });

  it('types the store error event', () => {
    limiter.on('storeError', (event) => {
      expectTypeOf(event.onStoreError).toEqualTypeOf<'fail-closed' | 'fail-open' | 'fallback'>();
      expectTypeOf(event.key).toEqualTypeOf<string | undefined>();
    });
  });
});
