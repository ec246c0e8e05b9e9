import { describeReadmeExamples } from '@cemaf/test-utils';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { counter } from './bounded-counter.js';

const hasRedis = process.env.REDIS_URL !== undefined;

describe.skipIf(!hasRedis)('the README examples, against a real Redis', () => {
  it('bounded-counter.ts: counts in Redis, and gives up on a Redis that does not answer', async () => {
    const redis = new Redis(process.env.REDIS_URL!);
    try {
      const key = `counter-${Date.now()}`;
      const next = counter(redis);
      expect([await next(key), await next(key)]).toEqual([1, 2]);
      await redis.script('FLUSH');
      expect(await next(key)).toBe(3);
    } finally {
      await redis.quit();
    }
    const silent = counter({ evalsha: () => new Promise(() => undefined), eval: () => new Promise(() => undefined) });
    await expect(silent('x')).rejects.toMatchObject({ name: 'TimeoutError', timeout: 500 });
  });
});

describeReadmeExamples(import.meta.url);
