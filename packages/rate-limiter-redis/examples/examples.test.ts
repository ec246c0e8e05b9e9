import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RateLimiter } from '@cemaf/rate-limiter';
import { describeReadmeExamples, muteConsole, redisCliProgram, startRedisCluster, startRedisServer } from '@cemaf/test-utils';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RedisRateLimiter } from '@cemaf/rate-limiter-redis';

const hasRedis = process.env.REDIS_URL !== undefined;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  vi.unstubAllGlobals();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describeReadmeExamples(import.meta.url, { markers: false });

describe.skipIf(!hasRedis)('the README examples, against a real Redis', () => {
  it('quick-start.ts: the 11th call of a second waits for its turn', async () => {
    const fetch = vi.fn(async (url: string) => Response.json({ url }));
    vi.stubGlobal('fetch', fetch);
    const { getInvoice, redis } = await import('./quick-start.js');
    cleanups.push(() => redis.quit());
    await redis.del('partner-api:{d}', 'partner-api:{d}:l');
    const start = performance.now();
    const invoices = Array.from({ length: 11 }, (_, index) => getInvoice(String(index)));
    await vi.waitFor(() => expect(fetch).toHaveBeenCalledTimes(10));
    expect(await invoices[10]).toEqual({ url: 'https://partner.example.com/invoices/10' });
    expect(performance.now() - start).toBeGreaterThan(900);
  });

  it('node-redis.ts: a batch costs a permit per row, per tenant', async () => {
    const { insertRows, redis } = await import('./node-redis.js');
    cleanups.push(() => redis.quit());
    const written: number[] = [];
    const write = async (batch: readonly object[]) => void written.push(batch.length);
    await insertRows(`tenant-${Date.now()}`, Array.from({ length: 600 }, () => ({})), write);
    // 600 + 600 rows would cross 1 000 a second: the second batch waits (under 2 s).
    const tenant = `tenant-b-${Date.now()}`;
    await insertRows(tenant, Array.from({ length: 1_000 }, () => ({})), write);
    await expect(insertRows(tenant, [{}], write)).resolves.toBeUndefined();
    expect(written).toEqual([600, 1_000, 1]);
  });

  it('http-server.ts: answers 429 with RateLimit and Retry-After headers, counted in Redis', async () => {
    const { withRateLimit } = await import('./http-server.js');
    const redis = new Redis(process.env.REDIS_URL!);
    cleanups.push(() => redis.quit());
    const limiter = new RedisRateLimiter({ redis, prefix: `http:${Date.now()}:`, maxCalls: 2, timeWindow: 60_000 });
    const server: Server = createServer(withRateLimit(limiter, (_request, response) => response.end('{"ok":true}')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const first = await fetch(url);
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-policy')).toBe('"default";q=2;w=60');
    // The server's time has fractions of a millisecond: a permit counts until ceil(t) + 60 s.
    expect(first.headers.get('ratelimit')).toMatch(/^"default";r=1;t=6[01]$/);
    expect((await fetch(url)).status).toBe(200);
    const refused = await fetch(url);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^6[01]$/);
  });

  it('fallback.ts: decides in memory with a share of the limit while Redis is down, then goes back', async () => {
    const { sharedLimiter } = await import('./fallback.js');
    const warn = muteConsole('warn');
    const server = await startRedisServer();
    cleanups.push(() => server.stop());
    const redis = new Redis(server.url, { retryStrategy: () => 50 });
    redis.on('error', () => undefined);
    cleanups.push(async () => redis.disconnect());
    const limiter = sharedLimiter(redis, 3);
    expect(await limiter.tryAcquire({ cost: 0 })).toMatchObject({ limit: 300, remaining: 300 });
    await server.stop();
    expect(await limiter.tryAcquire({ cost: 0 })).toMatchObject({ limit: 100, remaining: 100 });
    expect(warn).toHaveBeenCalled();
    await server.restart();
    await vi.waitFor(async () => expect(await limiter.tryAcquire({ cost: 0 })).toMatchObject({ limit: 300 }), {
      timeout: 15_000,
      interval: 100,
    });
  });

  it.skipIf(!redisCliProgram().available)('cluster.ts: both clients on a 3-node Redis Cluster', async () => {
    const { ioredisCluster, nodeRedisCluster } = await import('./cluster.js');
    const cluster = await startRedisCluster(3);
    cleanups.push(() => cluster.stop());
    const ioredis = ioredisCluster([...cluster.nodes]);
    cleanups.push(() => ioredis.cluster.quit());
    const nodeRedis = await nodeRedisCluster(cluster.nodes.map(({ host, port }) => `redis://${host}:${port}`));
    cleanups.push(() => nodeRedis.cluster.close());
    for (const { limiter } of [ioredis, nodeRedis]) {
      for (const key of ['a', 'b', 'c', 'd']) expect(await limiter.tryAcquire({ key })).toMatchObject({ allowed: true });
    }
    expect(await ioredis.limiter.tryAcquire({ key: 'a', cost: 0 })).toMatchObject({ remaining: 98 });
  });
});

it('fallback.ts builds its in-memory fallback from the shared limit', async () => {
  const { sharedLimiter } = await import('./fallback.js');
  const adapter = { evalsha: () => Promise.reject(new Error('down')), eval: () => Promise.reject(new Error('down')) };
  muteConsole('warn');
  const limiter = sharedLimiter(adapter as never, 4);
  expect(limiter).toBeInstanceOf(RedisRateLimiter);
  expect(await limiter.tryAcquire({ cost: 0 })).toMatchObject({ limit: 75 });
  expect(new RateLimiter({ maxCalls: 1, timeWindow: 1 })).toBeInstanceOf(RateLimiter);
});
