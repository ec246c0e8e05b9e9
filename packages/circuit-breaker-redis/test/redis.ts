import { redisServerProgram, testRedis, type TestRedis } from '@cemaf/test-utils';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll } from 'vitest';

/** Whether redis-server is here; suites skip loudly without it (and fail under CI=true). */
export const redisServer = redisServerProgram();

/** The two clients the package supports. */
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
 * A Redis for the file's tests: `REDIS_URL` (the run's shared server, see global-setup.ts, or the
 * one the environment names), else a redis-server of its own, stopped after the tests.
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

let prefixes = 0;
/** A prefix no other test uses, so that tests sharing a server never share keys. */
export function uniquePrefix(name = 'test'): string {
  prefixes += 1;
  return `cemaf-test:${name}:${process.pid}:${prefixes}:${Math.random().toString(36).slice(2, 8)}:`;
}
