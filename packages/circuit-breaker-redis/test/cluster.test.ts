import { ManualClock } from '@cemaf/core';
import { redisCliProgram, redisCommand, startRedisCluster, type RedisCluster } from '@cemaf/test-utils';
import { Cluster } from 'ioredis';
import { createCluster } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisCircuitBreaker } from '../src/index.js';
import { boom, eventually, outcome } from './helpers.js';
import { CLIENT_KINDS, redisServer, uniquePrefix, type ClientKind } from './redis.js';

const redisCli = redisServer.available ? redisCliProgram() : redisServer;

describe.skipIf(!redisServer.available || !redisCli.available)('RedisCircuitBreaker on a 3-node Redis Cluster', () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await startRedisCluster(3);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  async function connectCluster(kind: ClientKind): Promise<{ client: unknown; close(): Promise<unknown> }> {
    if (kind === 'ioredis') {
      const client = new Cluster(cluster.nodes.map(({ host, port }) => ({ host, port })));
      return { client, close: async () => client.disconnect() };
    }
    const client = createCluster({ rootNodes: cluster.nodes.map(({ host, port }) => ({ url: `redis://${host}:${port}` })) });
    client.on('error', () => undefined);
    await client.connect();
    return { client, close: async () => client.destroy() };
  }

  const keysOn = async (port: number, prefix: string) => {
    const reply = await redisCommand(port, `KEYS ${prefix}*`);
    return Number(/^\*(\d+)/.exec(reply)?.[1] ?? 0);
  };

  it.each(CLIENT_KINDS)('%s: circuits over every node, each in one slot; transitions reach the other process through pub/sub', async (kind) => {
    const first = await connectCluster(kind);
    const second = await connectCluster(kind);
    const breakers: RedisCircuitBreaker[] = [];
    try {
      const prefix = uniquePrefix(`cluster-${kind}`).replace(/[{}]/g, '');
      const clock = new ManualClock();
      const options = { prefix, failureThreshold: 2, resetTimeout: 1_000, clock };
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
        await eventually(() => two.state === 'open', 10_000);
      }
      // The circuits' keys are spread over the nodes, three keys of one circuit on one node.
      const perNode = await Promise.all(cluster.nodes.map(({ port }) => keysOn(port, prefix)));
      expect(perNode.every((count) => count > 0)).toBe(true);
      expect(perNode.reduce((sum, count) => sum + count, 0)).toBe(names.length);

      await clock.advance(1_000);
      const [one, two] = pairs[0]!;
      const hold = one.isolate();
      await eventually(() => two.stats().isolated, 10_000);
      await hold();
      await eventually(() => two.state === 'closed', 10_000);
      await clock.advance(0);
      for (const [, other] of pairs.slice(1)) await expect(other.execute(() => 'trial')).resolves.toBe('trial');
      for (const [other] of pairs.slice(1)) await eventually(() => other.state === 'closed', 10_000);
      for (const breaker of breakers) expect(breaker.stats().storeErrors).toBe(0);
    } finally {
      await Promise.all(breakers.map((breaker) => breaker.close()));
      await first.close();
      await second.close();
    }
  });
});
