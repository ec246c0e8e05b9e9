import { ManualClock } from '@cemaf/core';
import { describeRateLimiterConformance, type ConformanceClock } from '@cemaf/test-utils';
import { afterAll, describe } from 'vitest';
import { CLIENT_KINDS, connect, redisServer, uniquePrefix, useRedis } from '@cemaf/test-utils/redis';
import { RedisRateLimiter } from './redis-rate-limiter.js';

describe.skipIf(!redisServer.available)('RedisRateLimiter against a real redis-server', () => {
  const redis = useRedis();

  describe.each(CLIENT_KINDS)('with %s', (kind) => {
    let connection: Awaited<ReturnType<typeof connect>> | undefined;
    const live = new Set<RedisRateLimiter>();
    afterAll(async () => {
      await connection?.close();
    });

    const busy = () => [...live].some((limiter) => limiter.stats().inFlight > 0);
    /** Waits in real time until no limiter has a Redis call in flight. */
    async function storeQuiet(): Promise<void> {
      while (busy()) await new Promise((resolve) => setTimeout(resolve, 1));
    }

    /**
     * A decision takes no virtual time: the clock lets the Redis calls in flight return (and their
     * callers start their sleeps) before it moves.
     */
    class StoreAwareClock extends ManualClock {
      override async advance(ms: number): Promise<void> {
        await storeQuiet();
        return super.advance(ms);
      }
    }

    /** Waits until no limiter has a Redis call in flight and the code they resume has run. */
    async function idle(clock: ConformanceClock): Promise<void> {
      do {
        await storeQuiet();
        await clock.advance(0);
      } while (busy());
    }

    describeRateLimiterConformance(
      `RedisRateLimiter (${kind})`,
      async (options) => {
        connection ??= await connect(kind, redis.url);
        const limiter = new RedisRateLimiter({ ...options, redis: connection.client as never, prefix: uniquePrefix('conformance') });
        live.add(limiter);
        return limiter;
      },
      {
        clock: () => new StoreAwareClock(),
        idle,
        teardown: (limiter) => live.delete(limiter as RedisRateLimiter),
        runs: 25,
      },
    );
  });
});
