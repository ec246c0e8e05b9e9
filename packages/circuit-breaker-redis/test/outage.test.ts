import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisCircuitBreaker, type RedisCircuitBreakerEvents } from '../src/index.js';
import { boom, eventually, outcome, startRedisServer } from '@cemaf/test-utils';
import { CLIENT_KINDS, redisServer, type ClientKind } from '@cemaf/test-utils/redis';

const STORE_TIMEOUT = 300;
/** How late a call may settle while Redis is away: storeTimeout, plus a busy machine. */
const BOUND = STORE_TIMEOUT + 1_500;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** A client of `kind` that reconnects every 100 ms, closed after the test. */
async function client(kind: ClientKind, url: string): Promise<unknown> {
  if (kind === 'ioredis') {
    const ioredis = new Redis(url, { retryStrategy: () => 100 });
    ioredis.on('error', () => undefined);
    cleanups.push(async () => ioredis.disconnect());
    return ioredis;
  }
  const nodeRedis = createClient({ url, socket: { reconnectStrategy: () => 100 } });
  nodeRedis.on('error', () => undefined);
  await nodeRedis.connect();
  cleanups.push(async () => nodeRedis.destroy());
  return nodeRedis;
}

/** Settles a call and says how long it took, in real ms. */
async function timed<T>(call: () => Promise<T>) {
  const start = performance.now();
  const settled = await outcome(call());
  return { ms: performance.now() - start, ...settled };
}

describe.skipIf(!redisServer.available)('RedisCircuitBreaker while the Redis server goes away and comes back', () => {
  it.each(CLIENT_KINDS)('%s: each process protects itself meanwhile, says so, and rejoins the shared circuit after', async (kind) => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    cleanups.push(async () => void process.off('unhandledRejection', onUnhandled));

    const server = await startRedisServer();
    cleanups.push(() => server.stop());
    const options = { name: 'outage', failureThreshold: 3, resetTimeout: 60_000, storeTimeout: STORE_TIMEOUT };
    const one = new RedisCircuitBreaker({ redis: (await client(kind, server.url)) as never, ...options });
    const two = new RedisCircuitBreaker({ redis: (await client(kind, server.url)) as never, ...options });
    cleanups.push(() => one.close(), () => two.close());
    const events: string[] = [];
    const record = (who: string, breaker: RedisCircuitBreaker) => {
      breaker.on('fallback', ({ error }: RedisCircuitBreakerEvents['fallback']) => events.push(`${who} fallback ${(error as Error).name}`));
      breaker.on('rejoin', () => events.push(`${who} rejoin`));
      breaker.on('stateChange', ({ from, to }) => events.push(`${who} ${from}->${to}`));
    };
    record('one', one);
    record('two', two);
    const settled = (breaker: RedisCircuitBreaker) => () => breaker.stats().pending + breaker.stats().inFlight === 0;

    // Up: two failures counted in Redis.
    for (let index = 0; index < 2; index++) await outcome(one.execute(() => boom('service down')));
    await eventually(settled(one));
    expect(one.stats()).toMatchObject({ mode: 'shared', recentFailures: 2 });

    await server.stop();

    // Down: the third failure cannot be reported. This process falls back to a local breaker
    // that starts from what it knew (two failures in a row) and opens on its own.
    const calls = [];
    for (let index = 0; index < 4; index++) calls.push(await timed(() => one.execute(() => boom('service down'))));
    for (const call of calls) expect(call.ms).toBeLessThan(BOUND);
    expect(one.stats().mode).toBe('local');
    expect(one.state).toBe('open');
    const refused = calls.filter((call) => 'error' in call && (call.error as { code?: string }).code === 'CIRCUIT_OPEN');
    expect(refused.length).toBeGreaterThanOrEqual(1);
    // The other process falls back as soon as one of its own reports fails.
    const meanwhile = await timed(() => two.execute(() => 'served'));
    expect(meanwhile).toMatchObject({ value: 'served' });
    await eventually(() => two.stats().mode === 'local', BOUND);
    expect(two.state).toBe('closed');

    await server.restart();

    // Back: the subscriptions reconnect and the breakers rejoin; the circuit is Redis's again (a
    // fresh, closed one: the restarted server lost it).
    await eventually(() => one.stats().mode === 'shared' && two.stats().mode === 'shared', 20_000, 'rejoining');
    expect(one.state).toBe('closed');
    await expect(one.execute(() => 'through')).resolves.toBe('through');
    // Shared again: failures in one process open it in the other.
    for (let index = 0; index < 3; index++) await outcome(two.execute(() => boom('service down')));
    expect(two.state).toBe('open');
    await eventually(() => one.state === 'open');
    await expect(one.execute(() => 'not called')).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });

    expect(events).toEqual(
      expect.arrayContaining(['one fallback TimeoutError', 'one closed->open', 'one rejoin', 'one open->closed', 'two rejoin', 'two closed->open']),
    );
    expect(events.filter((event) => event.startsWith('two fallback'))).toHaveLength(1);
    expect(events.indexOf('one fallback TimeoutError')).toBeLessThan(events.indexOf('one rejoin'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(unhandled).toEqual([]);
    expect(one.stats().storeErrors).toBeGreaterThanOrEqual(1);
  });
});
