import { ManualClock } from '@cemaf/core';
import { RateLimiter } from '@cemaf/rate-limiter';
import { startRedisServer, type RedisServer } from '@cemaf/test-utils';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisRateLimiter, type OnStoreError, type RedisRateLimiterEvents } from '../src/index.js';
import { CLIENT_KINDS, redisServer, type ClientKind } from '@cemaf/test-utils/redis';

const STORE_TIMEOUT = 300;
const MAX_WAIT = 400;
/** How late a call may settle during the outage: storeTimeout, then maxWait, plus a busy machine. */
const BOUND = STORE_TIMEOUT + MAX_WAIT + 1_500;

interface Setup {
  server: RedisServer;
  client: unknown;
  raw: Redis;
  close(): Promise<void>;
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** A server of the test's own (it is stopped and restarted), and a client of `kind` on it. */
async function setup(kind: ClientKind): Promise<Setup> {
  const server = await startRedisServer();
  cleanups.push(() => server.stop());
  let client: unknown;
  let close: () => Promise<void>;
  if (kind === 'ioredis') {
    const ioredis = new Redis(server.url, { retryStrategy: () => 100 });
    ioredis.on('error', () => undefined);
    client = ioredis;
    close = async () => ioredis.disconnect();
  } else {
    const nodeRedis = createClient({ url: server.url, socket: { reconnectStrategy: () => 100 } });
    nodeRedis.on('error', () => undefined);
    await nodeRedis.connect();
    client = nodeRedis;
    close = async () => nodeRedis.destroy();
  }
  cleanups.push(() => close());
  const raw = new Redis(server.url, { retryStrategy: () => 100, lazyConnect: true });
  raw.on('error', () => undefined);
  cleanups.push(async () => raw.disconnect());
  return { server, client, raw, close };
}

/** Settles a call and says how long it took, in real ms. */
async function timed<T>(call: () => Promise<T>): Promise<{ ms: number; value?: T; error?: unknown }> {
  const start = performance.now();
  try {
    const value = await call();
    return { ms: performance.now() - start, value };
  } catch (error) {
    return { ms: performance.now() - start, error };
  }
}

type Mode = 'fail-closed' | 'fail-open' | 'fallback';
const MODES: readonly Mode[] = ['fail-closed', 'fail-open', 'fallback'];

describe.skipIf(!redisServer.available)('RedisRateLimiter while the Redis server goes away and comes back', () => {
  describe.each(CLIENT_KINDS)('%s', (kind) => {
    it.each(MODES)('%s: does what it says during the outage, never hangs, and moves back to Redis by itself', async (mode) => {
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => void unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      cleanups.push(async () => void process.off('unhandledRejection', onUnhandled));

      const { server, client, raw } = await setup(kind);
      const fallback = new RateLimiter({ maxCalls: 2, timeWindow: 60_000, maxWait: 0, clock: new ManualClock() });
      const onStoreError: OnStoreError = mode === 'fallback' ? fallback : mode;
      const limiter = new RedisRateLimiter({
        redis: client as never,
        prefix: 'outage:',
        maxCalls: 5,
        timeWindow: 2_000,
        maxWait: MAX_WAIT,
        storeTimeout: STORE_TIMEOUT,
        onStoreError,
      });
      const storeErrors: RedisRateLimiterEvents['storeError'][] = [];
      limiter.on('storeError', (event) => void storeErrors.push(event));

      // Up: Redis decides.
      for (const remaining of [4, 3, 2]) expect(await limiter.tryAcquire()).toMatchObject({ allowed: true, remaining });
      await raw.connect();
      expect(await raw.exists('outage:{d}:l')).toBe(1);
      // A caller that waits holds its reservation through the outage: it sleeps here, not in Redis.
      const patient = new RedisRateLimiter({ redis: client as never, prefix: 'holder:', maxCalls: 1, timeWindow: 1_000 });
      await patient.tryAcquire();
      const holder = timed(() => patient.acquire());
      while (patient.stats().waiting === 0) await new Promise((resolve) => setTimeout(resolve, 5));

      await server.stop();

      // Down: onStoreError decides, every call settles within storeTimeout + maxWait.
      const tries = [];
      for (let index = 0; index < 4; index++) tries.push(await timed(() => limiter.tryAcquire()));
      const runs = [];
      for (let index = 0; index < 3; index++) runs.push(await timed(() => limiter.execute(() => 'ran')));
      for (const call of [...tries, ...runs]) expect(call.ms).toBeLessThan(BOUND);
      const allowed = tries.map((call) => (call.value as { allowed: boolean }).allowed);
      const ran = runs.map((call) => call.value === 'ran');
      if (mode === 'fail-closed') {
        expect(allowed).toEqual([false, false, false, false]);
        expect(ran).toEqual([false, false, false]);
        expect(runs[0]!.error).toMatchObject({ code: 'RATE_LIMITED', retryAfter: STORE_TIMEOUT, cause: expect.anything() as unknown });
      } else if (mode === 'fail-open') {
        expect(allowed).toEqual([true, true, true, true]);
        expect(ran).toEqual([true, true, true]);
      } else {
        // The in-memory fallback allows 2 per minute in this process.
        expect(allowed).toEqual([true, true, false, false]);
        expect(ran).toEqual([false, false, false]);
        expect(runs[0]!.error).toMatchObject({ code: 'RATE_LIMITED' });
      }
      expect(storeErrors.length).toBeGreaterThanOrEqual(7);
      expect(storeErrors.every((event) => event.onStoreError === (mode === 'fallback' ? 'fallback' : mode))).toBe(true);
      const held = await holder;
      expect(held.error).toBeUndefined();
      expect(held.ms).toBeGreaterThan(500);

      await server.restart();

      // Back: within a few reconnects, decisions come from Redis again (a fresh, empty server).
      const deadline = performance.now() + 20_000;
      let fromRedis = false;
      while (!fromRedis && performance.now() < deadline) {
        const before = limiter.stats().storeErrors;
        const decision = await limiter.tryAcquire({ key: 'after' });
        fromRedis = limiter.stats().storeErrors === before && decision.allowed;
        if (!fromRedis) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(fromRedis).toBe(true);
      expect(await limiter.tryAcquire({ key: 'after', cost: 0 })).toMatchObject({ remaining: 4 });
      expect(await raw.exists('outage:{k=after}:l')).toBe(1);
      expect(await limiter.execute(() => 'ran again')).toBe('ran again');

      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
      expect(limiter.stats().inFlight).toBe(0);
    });
  });
});
