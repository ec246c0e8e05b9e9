import { Redis } from 'ioredis';
import { ManualClock, RedisRateLimiter } from '@cemaf/rate-limiter-redis';
import { expect, it } from 'vitest';

// With `clock`, decisions use its time instead of the Redis server's: a ManualClock makes a test
// against a real Redis as exact as one in memory. Give each test a prefix of its own.
it.skipIf(!process.env.REDIS_URL)('sends at most 2 reports a second', async () => {
  const redis = new Redis(process.env.REDIS_URL!);
  const clock = new ManualClock();
  const limiter = new RedisRateLimiter({ redis, prefix: `test:${Date.now()}:`, maxCalls: 2, timeWindow: 1_000, clock });
  const sent: number[] = [];
  const send = limiter.wrap((report: string) => sent.push(clock.now()) && report);

  const results = Promise.all(['a', 'b', 'c', 'd', 'e'].map((report) => send(report)));
  // Redis answers in real time; virtual time moves once the decisions are back.
  while (limiter.stats().inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 1));
  await clock.advance(2_000); // runs every call due within 2 s

  expect(await results).toEqual(['a', 'b', 'c', 'd', 'e']);
  expect(sent).toEqual([0, 0, 1_000, 1_000, 2_000]);
  await redis.quit();
});
