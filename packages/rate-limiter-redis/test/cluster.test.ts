import { CLIENT_KINDS, describeRedisCluster, uniquePrefix } from '@cemaf/test-utils/redis';
import { expect, it } from 'vitest';
import { RedisRateLimiter } from '../src/index.js';

// A busy machine can hold a cluster's answer past the default 1 s; a late answer is not what
// this suite tests.
const storeTimeout = 10_000;

describeRedisCluster('RedisRateLimiter on a 3-node Redis Cluster', (cluster) => {
  it.each(CLIENT_KINDS)('%s: many keys over all slots, waits, aborts and resets, with no CROSSSLOT or MOVED error', async (kind) => {
    const { client, close } = await cluster.connect(kind);
    try {
      const prefix = uniquePrefix(`cluster-${kind}`);
      const limiter = new RedisRateLimiter({ redis: client as never, prefix, maxCalls: 2, timeWindow: 60_000, storeTimeout });
      const keys = Array.from({ length: 300 }, (_, index) => `user:${index}`);
      const decisions = await Promise.all(
        keys.map(async (key) => [
          (await limiter.tryAcquire({ key })).allowed,
          (await limiter.tryAcquire({ key })).allowed,
          (await limiter.tryAcquire({ key })).allowed,
        ]),
      );
      expect(decisions.every((allowed) => allowed.join() === 'true,true,false')).toBe(true);

      // Every node holds some of the keys: they really are spread over the slots.
      const perNode = await Promise.all(cluster.nodes.map(({ port }) => cluster.keysOn(port, prefix)));
      expect(perNode.every((count) => count > 0)).toBe(true);

      // Waiters on many keys, some aborting: the scripts that reserve and give back run too.
      const quick = new RedisRateLimiter({ redis: client as never, prefix: `${prefix}quick:`, maxCalls: 1, timeWindow: 150, storeTimeout });
      const waits = await Promise.all(
        keys.slice(0, 60).map(async (key, index) => {
          await quick.acquire({ key });
          const controller = new AbortController();
          const leaving = quick.acquire({ key, cost: 1, signal: controller.signal });
          const staying = quick.acquire({ key });
          if (index % 2 === 0) controller.abort('left');
          const left = await leaving.then(() => 'admitted', (reason: unknown) => String(reason));
          await staying;
          return left;
        }),
      );
      expect(waits.filter((left) => left === 'left')).toHaveLength(30);

      await limiter.reset('user:1');
      expect(await limiter.tryAcquire({ key: 'user:1', cost: 0 })).toMatchObject({ remaining: 2 });
      expect(await limiter.tryAcquire({ key: 'user:2', cost: 0 })).toMatchObject({ remaining: 0 });
      // Without a key, every key under the prefix, found by scanning each master.
      await limiter.reset();
      const after = await Promise.all(keys.map(async (key) => (await limiter.tryAcquire({ key, cost: 0 })).remaining));
      expect(after.every((remaining) => remaining === 2)).toBe(true);

      expect(limiter.stats().storeErrors + quick.stats().storeErrors).toBe(0);
    } finally {
      await close();
    }
  });
});
