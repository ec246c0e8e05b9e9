import { pipeline, type ExecutionContext, type Policy } from '@cemaf/core';
import { describe, expectTypeOf, it } from 'vitest';
import type { RateLimitDecision } from './headers.js';
import type { RateLimitExecuteOptions } from './options.js';
import { RateLimiter } from './rate-limiter.js';

declare const limiter: RateLimiter;
declare const retry: Policy;

describe('RateLimiter types', () => {
  it('is a policy whose execute resolves to what fn returns', () => {
    expectTypeOf(limiter).toExtend<Policy<RateLimitExecuteOptions>>();
    expectTypeOf(limiter.execute(() => 1)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(limiter.execute(async (ctx) => ctx.attempt > 1)).toEqualTypeOf<Promise<boolean>>();
    expectTypeOf(limiter.execute).parameter(0).parameter(0).toEqualTypeOf<ExecutionContext>();
  });

  it('takes key, cost, signal and attempt per call, and nothing else', () => {
    void limiter.execute(() => 1, { key: 'user-1', cost: 2, signal: AbortSignal.abort(), attempt: 1 });
    // @ts-expect-error a key is a string
    void limiter.execute(() => 1, { key: 42 });
    // @ts-expect-error not an option of the limiter
    void limiter.acquire({ attempt: 2 });
  });

  it('lets the key through pipeline()', () => {
    const policy = pipeline(retry, limiter);
    void policy.execute(() => 1, { key: 'tenant-9', cost: 3 });
    // @ts-expect-error not an option of any policy in the pipeline
    void policy.execute(() => 1, { tenant: 'x' });
  });

  it('decides synchronously with tryAcquire', () => {
    expectTypeOf(limiter.tryAcquire({ key: 'k' })).toEqualTypeOf<RateLimitDecision>();
    expectTypeOf(limiter.toHeaders(limiter.tryAcquire())).toEqualTypeOf<Record<string, string>>();
  });

  it('types each event payload', () => {
    limiter.on('acquire', (event) => {
      expectTypeOf(event).toEqualTypeOf<{ readonly key: string | undefined; readonly cost: number; readonly waited: number }>();
    });
    limiter.on('reject', (event) => {
      expectTypeOf(event.reason).toEqualTypeOf<'limit' | 'maxWait' | 'maxQueue'>();
    });
    // @ts-expect-error no such event
    limiter.on('drain', () => undefined);
  });

  it('wrap keeps the parameters and unwraps the result', () => {
    const get = limiter.wrap(async (url: string, retries?: number) => ({ url, retries }));
    expectTypeOf(get).parameters.toEqualTypeOf<[url: string, retries?: number]>();
    expectTypeOf(get).returns.toEqualTypeOf<Promise<{ url: string; retries: number | undefined }>>();
  });

  it('requires maxCalls and timeWindow, and knows the algorithms', () => {
    // @ts-expect-error timeWindow is required
    void new RateLimiter({ maxCalls: 1 });
    // @ts-expect-error not an algorithm
    void new RateLimiter({ maxCalls: 1, timeWindow: 1, algorithm: 'leaky-bucket' });
  });
});
