import { Cluster } from 'ioredis';
import { createCluster } from 'redis';
import { RedisRateLimiter } from '@cemaf/rate-limiter-redis';

// Redis Cluster: every key of one decision shares a hash slot ({...} in the key names), so the
// limiter works unchanged with either client's cluster.
export function ioredisCluster(nodes: { host: string; port: number }[]): { limiter: RedisRateLimiter; cluster: Cluster } {
  const cluster = new Cluster(nodes);
  return { cluster, limiter: new RedisRateLimiter({ redis: cluster, maxCalls: 100, timeWindow: 60_000 }) };
}

export async function nodeRedisCluster(urls: string[]) {
  const cluster = createCluster({ rootNodes: urls.map((url) => ({ url })) });
  await cluster.connect();
  return { cluster, limiter: new RedisRateLimiter({ redis: cluster, maxCalls: 100, timeWindow: 60_000 }) };
}
