import { ManualClock } from '@cemaf/core';
import { boom, eventually, outcome } from '@cemaf/test-utils';
import { CLIENT_KINDS, describeRedisCluster, uniquePrefix } from '@cemaf/test-utils/redis';
import { expect, it } from 'vitest';
import { RedisCircuitBreaker } from '../src/index.js';

describeRedisCluster('RedisCircuitBreaker on a 3-node Redis Cluster', (cluster) => {
  it.each(CLIENT_KINDS)('%s: circuits over every node, each in one slot; transitions reach the other process through pub/sub', async (kind) => {
    const first = await cluster.connect(kind);
    const second = await cluster.connect(kind);
    const breakers: RedisCircuitBreaker[] = [];
    try {
      const prefix = uniquePrefix(`cluster-${kind}`).replace(/[{}]/g, '');
      const clock = new ManualClock();
      // storeTimeout: this suite is about slots and pub/sub, not about a busy machine's latency.
      const options = { prefix, failureThreshold: 2, resetTimeout: 1_000, clock, storeTimeout: 10_000 };
      const described = (breaker: RedisCircuitBreaker) => `${breaker.name} (${breaker.state}, ${JSON.stringify(breaker.stats())})`;
      const names = Array.from({ length: 12 }, (_, index) => `service-${index}`);
      const pairs = names.map((name) => {
        const pair = [
          new RedisCircuitBreaker({ redis: first.client as never, name, ...options }),
          new RedisCircuitBreaker({ redis: second.client as never, name, ...options }),
        ] as const;
        breakers.push(...pair);
        return pair;
      });
      // Open every circuit from the first process; the second hears of each.
      await Promise.all(pairs.map(([one]) => Promise.all([outcome(one.execute(() => boom())), outcome(one.execute(() => boom()))])));
      for (const [one, two] of pairs) {
        expect(one.state).toBe('open');
        await eventually(() => two.state === 'open', 10_000, () => `open in the second process: ${described(two)}`);
      }
      // The circuits' keys are spread over the nodes, three keys of one circuit on one node.
      const perNode = await Promise.all(cluster.nodes.map(({ port }) => cluster.keysOn(port, prefix)));
      expect(perNode.every((count) => count > 0)).toBe(true);
      expect(perNode.reduce((sum, count) => sum + count, 0)).toBe(names.length);

      await clock.advance(1_000);
      const [one, two] = pairs[0]!;
      const hold = one.isolate();
      await eventually(() => two.stats().isolated, 10_000, () => `isolated in the second process: ${described(two)}`);
      await hold();
      await eventually(() => two.state === 'closed', 10_000, () => `closed in the second process: ${described(two)}`);
      await clock.advance(0);
      for (const [, other] of pairs.slice(1)) await expect(other.execute(() => 'trial')).resolves.toBe('trial');
      for (const [other] of pairs.slice(1)) await eventually(() => other.state === 'closed', 10_000, () => `closed in the first process: ${described(other)}`);
      for (const breaker of breakers) expect(breaker.stats().storeErrors).toBe(0);
    } finally {
      await Promise.all(breakers.map((breaker) => breaker.close()));
      await first.destroy();
      await second.destroy();
    }
  });
});
