import type { Redis } from 'ioredis';
import { RateLimiter } from '@cemaf/rate-limiter';
import { RedisRateLimiter } from '@cemaf/rate-limiter-redis';

/**
 * 300 calls a minute over 3 servers. While Redis is down, each server decides alone, in memory,
 * with a third of the budget, so that together they stay near the shared limit. Decisions go
 * back to Redis as soon as it answers again.
 */
export function sharedLimiter(redis: Redis, servers = 3): RedisRateLimiter {
  const limiter = new RedisRateLimiter({
    redis,
    prefix: 'reports:',
    maxCalls: 300,
    timeWindow: 60_000,
    storeTimeout: 250,
    onStoreError: new RateLimiter({ maxCalls: Math.floor(300 / servers), timeWindow: 60_000 }),
  });
  limiter.on('storeError', ({ error }) => console.warn('rate limit decided in memory:', error));
  return limiter;
}
