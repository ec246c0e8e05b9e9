import { describeReadmeExamples, muteConsole } from '@cemaf/test-utils';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const hasRedis = process.env.REDIS_URL !== undefined;
const cleanups: (() => Promise<unknown>)[] = [];
let admin: Redis;
beforeEach(() => {
  if (hasRedis) admin = new Redis(process.env.REDIS_URL!);
});
afterEach(async () => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  admin?.disconnect();
});

/** Forgets a circuit, so that the example's breaker starts it afresh. */
const forget = (name: string) => admin.del(`cemaf:cb:{${name}}`, `cemaf:cb:{${name}}:t`, `cemaf:cb:{${name}}:i`);

describe.skipIf(!hasRedis)('the README examples, against a real Redis', () => {
  it('quick-start.ts: 5 failures open the circuit; the next charge is turned away without a request', async () => {
    await forget('payments');
    const fetch = vi.fn(async () => new Response('unavailable', { status: 503 }));
    vi.stubGlobal('fetch', fetch);
    const { charge, payments, redis } = await import('./quick-start.js');
    cleanups.push(() => redis.quit(), () => payments.close());
    for (let order = 0; order < 5; order++) await expect(charge(`order-${order}`, 1_000)).rejects.toThrow('payments answered 503');
    await expect(charge('order-5', 1_000)).rejects.toMatchObject({ code: 'CIRCUIT_OPEN', isolated: false });
    expect(fetch).toHaveBeenCalledTimes(5);
    expect(payments.state).toBe('open');
    expect(await redis.hget('cemaf:cb:{payments}', 's')).toBe('o');
  });

  it('node-redis.ts: opens when half the last calls failed, and logs it', async () => {
    await forget('search');
    const info = muteConsole('info');
    const { search, redis } = await import('./node-redis.js');
    cleanups.push(() => redis.quit(), () => search.close());
    for (let call = 0; call < 10; call++) await search.execute(() => 'found');
    for (let call = 0; call < 9; call++) await expect(search.execute(() => Promise.reject(new Error('timeout')))).rejects.toThrow('timeout');
    expect(search.state).toBe('closed');
    await expect(search.execute(() => Promise.reject(new Error('timeout')))).rejects.toThrow('timeout');
    await vi.waitFor(() => expect(search.state).toBe('open'));
    expect(info).toHaveBeenCalledWith('search circuit: closed -> open');
  });

  it('shutdown.ts: drains the jobs, and closes the breaker when done', async () => {
    await forget('mailer');
    const { drain } = await import('./shutdown.js');
    const redis = new Redis(process.env.REDIS_URL!);
    cleanups.push(() => redis.quit());
    await redis.ping();
    const clients = async () => ((await admin.client('LIST')) as string).trim().split('\n').length;
    const before = await clients();
    async function* jobs() {
      for (let job = 0; job < 3; job++) yield () => Promise.resolve();
    }
    await expect(drain(redis, jobs())).resolves.toBe(3);
    // Its pub/sub connection is gone; the client it was given is not.
    await vi.waitFor(async () => expect(await clients()).toBe(before));
    expect(await redis.ping()).toBe('PONG');
  });
});

describeReadmeExamples(import.meta.url);
