import { Cluster, Redis } from 'ioredis';
import { createClient, createCluster } from 'redis';
import { afterAll, beforeAll, describe } from 'vitest';
import { redisCliProgram, redisCommand, redisServerProgram, startRedisCluster, testRedis, type RedisCluster, type TestRedis } from './redis-server.js';

/** Whether redis-server is here; suites skip loudly without it (and fail under CI=true). */
export const redisServer = redisServerProgram();

/** The two clients the Redis packages support. */
export type ClientKind = 'ioredis' | 'node-redis';
export const CLIENT_KINDS: readonly ClientKind[] = ['ioredis', 'node-redis'];

/** A connected client of `kind`, and how to close it. */
export async function connect(kind: ClientKind, url: string): Promise<{ client: unknown; close(): Promise<void> }> {
  if (kind === 'ioredis') {
    const client = new Redis(url, { lazyConnect: true });
    await client.connect();
    return { client, close: async () => void (await client.quit()) };
  }
  const client = createClient({ url });
  client.on('error', () => undefined);
  await client.connect();
  return { client, close: async () => void (await client.quit()) };
}

/**
 * A Redis for the file's tests: `REDIS_URL` (the run's shared server, see redis-global-setup.ts,
 * or the one the environment names), else a redis-server of its own, stopped after the tests.
 */
export function useRedis(): { readonly url: string } {
  let redis: TestRedis | undefined;
  beforeAll(async () => {
    if (redisServer.available) redis = await testRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  return {
    get url() {
      if (redis === undefined) throw new Error('the test Redis is not started');
      return redis.url;
    },
  };
}

/** {@link useRedis} with an ioredis client on it, connected before the file's tests and closed after. */
export function useIoredis(): { readonly url: string; readonly client: Redis } {
  const redis = useRedis();
  let client: Redis | undefined;
  beforeAll(() => {
    if (redisServer.available) client = new Redis(redis.url);
  });
  afterAll(async () => {
    await client?.quit();
  });
  return {
    get url() {
      return redis.url;
    },
    get client() {
      if (client === undefined) throw new Error('the test Redis is not started');
      return client;
    },
  };
}

let prefixes = 0;
/** A prefix no other test uses, so that tests sharing a server never share keys. */
export function uniquePrefix(name = 'test'): string {
  prefixes += 1;
  return `cemaf-test:${name}:${process.pid}:${prefixes}:${Math.random().toString(36).slice(2, 8)}:`;
}

/** A cluster client, and the two ways to end it. */
export interface ClusterConnection {
  readonly client: unknown;
  /** Waits for pending replies, then closes (ioredis `quit`, node-redis `close`). */
  close(): Promise<unknown>;
  /** Closes at once (ioredis `disconnect`, node-redis `destroy`). */
  destroy(): Promise<unknown>;
}

/** The cluster a suite of {@link describeRedisCluster} runs against. */
export interface TestRedisCluster {
  readonly nodes: RedisCluster['nodes'];
  /** A client of `kind` connected to every node. */
  connect(kind: ClientKind): Promise<ClusterConnection>;
  /** How many keys starting with `prefix` the node on `port` holds. */
  keysOn(port: number, prefix: string): Promise<number>;
}

/**
 * A suite against a 3-node Redis Cluster on loopback, started before its tests and stopped after.
 * Skipped loudly without redis-server or redis-cli (a failure under CI=true).
 */
export function describeRedisCluster(name: string, body: (cluster: TestRedisCluster) => void): void {
  const programs = redisServer.available ? redisCliProgram() : redisServer;
  describe.skipIf(!programs.available)(name, () => {
    let cluster: RedisCluster | undefined;
    beforeAll(async () => {
      cluster = await startRedisCluster(3);
    });
    afterAll(async () => {
      await cluster?.stop();
    });
    const started = (): RedisCluster => {
      if (cluster === undefined) throw new Error('the test cluster is not started');
      return cluster;
    };
    body({
      get nodes() {
        return started().nodes;
      },
      async connect(kind) {
        const { nodes } = started();
        if (kind === 'ioredis') {
          const client = new Cluster(nodes.map(({ host, port }) => ({ host, port })));
          return { client, close: () => client.quit(), destroy: () => Promise.resolve(client.disconnect()) };
        }
        const client = createCluster({ rootNodes: nodes.map(({ host, port }) => ({ url: `redis://${host}:${port}` })) });
        client.on('error', () => undefined);
        await client.connect();
        return { client, close: () => client.close(), destroy: () => Promise.resolve(client.destroy()) };
      },
      async keysOn(port, prefix) {
        const reply = await redisCommand(port, `KEYS ${prefix}*`);
        // An array reply: *N, then $len / name pairs.
        return Number(/^\*(\d+)/.exec(reply)?.[1] ?? 0);
      },
    });
  });
}
