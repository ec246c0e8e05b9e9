import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisServer, uniquePrefix, useRedis } from '@cemaf/test-utils/redis';
import type { RedisClientAdapter } from '@cemaf/redis-client';
import { toRedisAdapter } from '@cemaf/redis-client';
import { ManualClock } from '@cemaf/core';
import { RedisRateLimiter } from './redis-rate-limiter.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!redisServer.available)('RedisRateLimiter on the Redis server time', () => {
  const redis = useRedis();
  let client: Redis;
  beforeAll(() => {
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    await client.quit();
  });

  it('decides on the server time and waits on systemClock', async () => {
    const limiter = new RedisRateLimiter({ redis: client, prefix: uniquePrefix('time'), maxCalls: 2, timeWindow: 300 });
    const taken = performance.now();
    expect(await limiter.tryAcquire({ cost: 2 })).toMatchObject({ allowed: true, remaining: 0 });
    const refused = await limiter.tryAcquire();
    // The permits leave the window 300 ms after they were taken: less the time these calls took.
    const since = performance.now() - taken;
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfter).toBeGreaterThanOrEqual(300 - since - 2);
    expect(refused.retryAfter).toBeLessThanOrEqual(300);
    const start = performance.now();
    await limiter.acquire();
    const waited = performance.now() - start;
    expect(waited).toBeGreaterThanOrEqual(refused.retryAfter - 50);
    expect(waited).toBeLessThan(5_000);
  });

  it.each(['sliding-window', 'token-bucket', 'fixed-window'] as const)(
    '%s: keys expire by themselves once the key is back to full capacity',
    async (algorithm) => {
      const prefix = uniquePrefix('expiry');
      const limiter = new RedisRateLimiter({ redis: client, prefix, algorithm, maxCalls: 4, timeWindow: 400 });
      await limiter.tryAcquire({ key: 'k', cost: 2 });
      const waiter = limiter.acquire({ key: 'k', cost: 4 });
      const names = [`${prefix}{k=k}`, `${prefix}{k=k}:q`, `${prefix}{k=k}:l`];
      const present = names.filter((name, index) => index < 2 || algorithm === 'sliding-window');
      await sleep(20);
      for (const name of present) {
        const ttl = await client.pttl(name);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(1_200);
      }
      await waiter;
      const deadline = performance.now() + 5_000;
      while ((await client.exists(...names)) > 0 && performance.now() < deadline) await sleep(50);
      expect(await client.exists(...names)).toBe(0);
      // A fresh key, as if nothing had happened.
      expect(await limiter.tryAcquire({ key: 'k', cost: 0 })).toMatchObject({ remaining: 4, resetAfter: 0 });
    },
  );

  it('sliding-window: a list emptied by the window and filled again keeps a TTL', async () => {
    const prefix = uniquePrefix('refill');
    const clock = new ManualClock(0);
    const limiter = new RedisRateLimiter({ redis: client, prefix, clock, maxCalls: 1, timeWindow: 1_000 });
    expect(await limiter.tryAcquire({ key: 'a' })).toMatchObject({ allowed: true });
    // Exactly when the first permit leaves the window: the list is trimmed empty, then pushed anew.
    await clock.advance(1_000);
    expect(await limiter.tryAcquire({ key: 'a' })).toMatchObject({ allowed: true });
    for (const name of [`${prefix}{k=a}`, `${prefix}{k=a}:l`]) {
      expect(await client.pttl(name), name).toBeGreaterThan(0);
    }
  });

  it('drops a decision that reaches Redis after the caller gave up on it', async () => {
    const prefix = uniquePrefix('late');
    const adapter = toRedisAdapter(client);
    let delay = 0;
    // A client that holds a command back, as one does while it reconnects.
    const slow: RedisClientAdapter = {
      evalsha: async (sha, keys, args) => {
        await sleep(delay);
        return adapter.evalsha(sha, keys, args);
      },
      eval: (script, keys, args) => adapter.eval(script, keys, args),
    };
    const limiter = new RedisRateLimiter({ redis: slow, prefix, maxCalls: 5, timeWindow: 60_000, storeTimeout: 150 });
    expect(await limiter.tryAcquire()).toMatchObject({ allowed: true, remaining: 4 });
    delay = 600;
    expect(await limiter.tryAcquire()).toMatchObject({ allowed: false, retryAfter: 150 }); // fail-closed
    await sleep(800);
    delay = 0;
    expect(await limiter.tryAcquire({ cost: 0 })).toMatchObject({ remaining: 4 });
  });

  it('resets every key under its prefix, and only those', async () => {
    const prefix = uniquePrefix('reset');
    const limiter = new RedisRateLimiter({ redis: client, prefix, maxCalls: 2, timeWindow: 60_000 });
    const other = new RedisRateLimiter({ redis: client, prefix: `${prefix}other:`, maxCalls: 2, timeWindow: 60_000 });
    for (let index = 0; index < 50; index++) await limiter.tryAcquire({ key: `user:${index}`, cost: 2 });
    await limiter.tryAcquire({ cost: 2 });
    await other.tryAcquire({ key: 'user:1', cost: 2 });
    await limiter.reset();
    for (let index = 0; index < 50; index++) {
      expect(await limiter.tryAcquire({ key: `user:${index}`, cost: 0 })).toMatchObject({ remaining: 2 });
    }
    expect(await limiter.tryAcquire({ cost: 0 })).toMatchObject({ remaining: 2 });
    expect(await other.tryAcquire({ key: 'user:1', cost: 0 })).toMatchObject({ remaining: 0 });
  });

  describe.each(['sliding-window', 'token-bucket', 'fixed-window'] as const)('%s', (algorithm) => {
    const idle = async (limiter: RedisRateLimiter) => {
      while (limiter.stats().inFlight > 0) await sleep(1);
    };

    it('gives back a grant whose caller aborted while it was on its way: aborts are never counted', async () => {
      const limiter = new RedisRateLimiter({ redis: client, prefix: uniquePrefix('refund'), algorithm, maxCalls: 2, timeWindow: 60_000 });
      await limiter.tryAcquire();
      const controller = new AbortController();
      const leaving = limiter.acquire({ signal: controller.signal });
      controller.abort('left');
      await expect(leaving).rejects.toBe('left');
      await idle(limiter);
      expect(await limiter.tryAcquire({ cost: 0 })).toMatchObject({ remaining: 1 });
      expect(limiter.stats()).toMatchObject({ admitted: 1, storeErrors: 0 });
    });

    it('lets the waiter behind such a caller move up to now', async () => {
      const limiter = new RedisRateLimiter({ redis: client, prefix: uniquePrefix('refund-move'), algorithm, maxCalls: 1, timeWindow: 60_000 });
      const controller = new AbortController();
      const leaving = limiter.acquire({ signal: controller.signal });
      const staying = limiter.acquire();
      controller.abort('left');
      await expect(leaving).rejects.toBe('left');
      const start = performance.now();
      await staying;
      expect(performance.now() - start).toBeLessThan(5_000);
      expect(await limiter.tryAcquire({ cost: 0 })).toMatchObject({ remaining: 0 });
    });
  });
});
