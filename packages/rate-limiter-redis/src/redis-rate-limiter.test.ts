import { ManualClock, RateLimitExceededError, TimeoutError } from '@cemaf/core';
import { RateLimiter } from '@cemaf/rate-limiter';
import { deferred } from '@cemaf/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { RedisArgument, RedisClientAdapter } from '@cemaf/redis-client';
import { RedisRateLimiter, type RedisRateLimiterEvents } from './redis-rate-limiter.js';

interface Sent {
  readonly op: string;
  readonly keys: readonly string[];
  readonly args: readonly RedisArgument[];
}

/** An adapter whose answers the test gives: `answer(op, args)` per script call. */
function fakeRedis(answer: (op: string, args: readonly RedisArgument[]) => Promise<unknown>) {
  const sent: Sent[] = [];
  const run = (_script: string, keys: readonly string[], args: readonly RedisArgument[]) => {
    sent.push({ op: String(args[0]), keys, args });
    return answer(String(args[0]), args);
  };
  const redis: RedisClientAdapter = { evalsha: run, eval: run };
  return { redis, sent };
}

const down = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
const never = () => new Promise<never>(() => undefined);

function recordEvents(limiter: RedisRateLimiter) {
  const seen: [keyof RedisRateLimiterEvents, unknown][] = [];
  for (const event of ['acquire', 'wait', 'reject', 'storeError'] as const) {
    limiter.on(event, (payload) => void seen.push([event, payload]));
  }
  return seen;
}

const base = { maxCalls: 2, timeWindow: 100 };

describe('RedisRateLimiter when Redis fails', () => {
  it("fail-closed (the default) refuses every decision, saying why", async () => {
    const { redis } = fakeRedis(down);
    const limiter = new RedisRateLimiter({ ...base, redis, storeTimeout: 250 });
    const seen = recordEvents(limiter);
    expect(await limiter.tryAcquire({ key: 'a' })).toEqual({ allowed: false, limit: 2, remaining: 0, retryAfter: 250, resetAfter: 0 });
    const fn = vi.fn();
    const refusal: unknown = await limiter.execute(fn).catch((error: unknown) => error);
    expect(fn).not.toHaveBeenCalled();
    expect(refusal).toBeInstanceOf(RateLimitExceededError);
    expect(refusal).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 250, cause: { message: 'connect ECONNREFUSED 127.0.0.1:6379' } });
    expect((refusal as Error).message).toBe(
      "Rate limit not checked: Redis failed and onStoreError is 'fail-closed', so the call was refused; see cause",
    );
    expect(seen.map(([event]) => event)).toEqual(['storeError', 'reject', 'storeError', 'reject']);
    expect(seen[0]![1]).toMatchObject({ key: 'a', onStoreError: 'fail-closed', error: { message: /ECONNREFUSED/ } });
    expect(seen[1]![1]).toEqual({ key: 'a', cost: 1, retryAfter: 250, reason: 'storeError' });
    expect(limiter.stats()).toMatchObject({ storeErrors: 2, rejected: 2, admitted: 0, inFlight: 0 });
  });

  it('fail-open grants every decision', async () => {
    const { redis } = fakeRedis(down);
    const limiter = new RedisRateLimiter({ ...base, redis, onStoreError: 'fail-open' });
    const seen = recordEvents(limiter);
    expect(await limiter.tryAcquire({ cost: 2 })).toEqual({ allowed: true, limit: 2, remaining: 0, retryAfter: 0, resetAfter: 0 });
    expect(await limiter.execute(() => 'ran')).toBe('ran');
    await expect(limiter.acquire()).resolves.toBeUndefined();
    expect(seen.filter(([event]) => event === 'acquire')).toHaveLength(3);
    expect(seen.filter(([event]) => event === 'storeError')).toHaveLength(3);
    expect(limiter.stats()).toMatchObject({ storeErrors: 3, admitted: 3 });
  });

  it('a RateLimiter fallback decides in memory, with its own limit and clock', async () => {
    const clock = new ManualClock();
    const fallback = new RateLimiter({ maxCalls: 1, timeWindow: 100, clock });
    const { redis } = fakeRedis(down);
    const limiter = new RedisRateLimiter({ ...base, redis, onStoreError: fallback });
    const seen = recordEvents(limiter);
    expect(await limiter.tryAcquire({ key: 'a' })).toMatchObject({ allowed: true, limit: 1, remaining: 0 });
    expect(await limiter.tryAcquire({ key: 'a' })).toMatchObject({ allowed: false, retryAfter: 100 });
    expect(await limiter.tryAcquire({ key: 'b' })).toMatchObject({ allowed: true });
    const ran: number[] = [];
    const waiting = limiter.execute(() => ran.push(clock.now()), { key: 'a' });
    await clock.advance(100);
    await waiting;
    expect(ran).toEqual([100]);
    expect(seen.filter(([event]) => event === 'storeError').map(([, payload]) => payload)).toEqual(
      ['a', 'a', 'b', 'a'].map((key): unknown => expect.objectContaining({ key, onStoreError: 'fallback' })),
    );
    await limiter.reset('a').catch(() => undefined);
    expect(fallback.tryAcquire({ key: 'a', cost: 0 }).remaining).toBe(1);
  });

  it('counts a decision Redis has not answered within storeTimeout as a store error', async () => {
    const { redis } = fakeRedis(never);
    const limiter = new RedisRateLimiter({ ...base, redis, storeTimeout: 20, onStoreError: 'fail-open' });
    const errors: unknown[] = [];
    limiter.on('storeError', ({ error }) => void errors.push(error));
    await expect(limiter.execute(() => 'ran')).resolves.toBe('ran');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(TimeoutError);
    expect(errors[0]).toMatchObject({
      timeout: 20,
      message: 'RedisRateLimiter: Redis did not answer within storeTimeout (20 ms); onStoreError decided instead',
    });
    expect(limiter.stats().inFlight).toBe(0);
  });

  it('while Redis is down, one call at a time probes it and the others decide at once; it returns by itself', async () => {
    let healthy = false;
    let probe = deferred<unknown>();
    const { redis, sent } = fakeRedis(() => {
      if (healthy) return Promise.resolve([1, 1, '0', '100', '0', 0]);
      if (sent.length === 1) return down();
      return probe.promise;
    });
    const limiter = new RedisRateLimiter({ ...base, redis, onStoreError: 'fail-closed' });
    expect(await limiter.tryAcquire()).toMatchObject({ allowed: false }); // Redis fails: down
    const probing = limiter.tryAcquire(); // the probe
    expect(sent).toHaveLength(2);
    expect(await limiter.tryAcquire()).toMatchObject({ allowed: false }); // decided at once
    expect(await limiter.tryAcquire()).toMatchObject({ allowed: false });
    expect(sent).toHaveLength(2);
    probe.reject(new Error('still down'));
    expect(await probing).toMatchObject({ allowed: false });
    probe = deferred<unknown>();
    const secondProbe = limiter.tryAcquire();
    expect(sent).toHaveLength(3);
    healthy = true;
    probe.resolve([1, 1, '0', '100', '0', 0]);
    expect(await secondProbe).toMatchObject({ allowed: true, remaining: 1 });
    expect(await limiter.tryAcquire()).toMatchObject({ allowed: true });
    expect(sent).toHaveLength(4);
  });

  it('never leaves an unhandled rejection: a failed cancel is reported as a store error', async () => {
    const clock = new ManualClock();
    const { redis, sent } = fakeRedis((op) => (op === 'enter' ? Promise.resolve([1, 0, '50', '0', '0', 0]) : down()));
    const limiter = new RedisRateLimiter({ ...base, redis, clock });
    const errors: unknown[] = [];
    limiter.on('storeError', ({ error }) => void errors.push(error));
    const controller = new AbortController();
    const waiting = limiter.acquire({ signal: controller.signal });
    await clock.advance(0);
    expect(clock.pendingSleeps).toBe(1);
    controller.abort('gone');
    await expect(waiting).rejects.toBe('gone');
    expect(clock.pendingSleeps).toBe(0);
    await clock.advance(0);
    expect(sent.map(({ op }) => op)).toEqual(['enter', 'cancel']);
    expect(errors).toHaveLength(1);
  });
});

describe('RedisRateLimiter decisions on their way', () => {
  it('rejects an aborted caller at once, and gives back the slot Redis reserved for it', async () => {
    const reply = deferred<unknown>();
    const { redis, sent } = fakeRedis((op) => (op === 'enter' ? reply.promise : Promise.resolve([1, 0, '0', '0', '0', 0])));
    const limiter = new RedisRateLimiter({ ...base, redis, clock: new ManualClock() });
    const controller = new AbortController();
    const waiting = limiter.acquire({ key: 'k', signal: controller.signal });
    controller.abort('left');
    await expect(waiting).rejects.toBe('left');
    reply.resolve([1, 0, '80', '0', '0', 0]);
    await vi.waitFor(() => expect(sent.map(({ op }) => op)).toEqual(['enter', 'cancel']));
    expect(sent[1]!.args[3]).toBe(sent[0]!.args[3]); // the same waiter
    expect(sent[1]!.keys).toEqual(sent[0]!.keys);
  });

  it('gives back the permits Redis granted at once before it heard of the abort', async () => {
    const reply = deferred<unknown>();
    const { redis, sent } = fakeRedis((op) => (op === 'enter' ? reply.promise : Promise.resolve([1, 0, '0', '0', '0', 0])));
    const limiter = new RedisRateLimiter({ ...base, redis });
    const controller = new AbortController();
    const waiting = limiter.acquire({ cost: 2, signal: controller.signal });
    controller.abort('left');
    await expect(waiting).rejects.toBe('left');
    reply.resolve([0, 0, '1796014156912', '0', '0', 0]);
    await vi.waitFor(() => expect(sent.map(({ op }) => op)).toEqual(['enter', 'refund']));
    expect(sent[1]!.args.slice(2, 4)).toEqual([2, '1796014156912']); // the cost, and the grant's token
    expect(limiter.stats().admitted).toBe(0);
  });

  it('applies a move that overtakes the waiter\'s own decision', async () => {
    const clock = new ManualClock();
    const second = deferred<unknown>();
    const { redis } = fakeRedis((op, args) => {
      if (op === 'enter') return args[3] === '1' ? Promise.resolve([0, 0, '5', '0', '0', 0]) : second.promise;
      // The refund of the first caller's permit moves the second (seq 2) up to now.
      return Promise.resolve([1, 0, '0', '0', '0', 1, '2', '0', '5']);
    });
    const limiter = new RedisRateLimiter({ ...base, redis, clock });
    const controller = new AbortController();
    const leaving = limiter.acquire({ signal: controller.signal });
    const staying = limiter.acquire();
    controller.abort('left');
    await expect(leaving).rejects.toBe('left');
    await clock.advance(0);
    second.resolve([1, 0, '60000', '0', '0', 0]);
    await staying;
    expect(clock.now()).toBe(0);
    expect(clock.pendingSleeps).toBe(0);
  });

  it('gives back the permits of a caller that left just as Redis admitted it by moving it up', async () => {
    const clock = new ManualClock();
    const cancelled = deferred<unknown>();
    const { redis, sent } = fakeRedis((op) => {
      if (op === 'enter') return Promise.resolve([1, 0, '100', '0', '0', 0]);
      if (op === 'cancel') return cancelled.promise;
      // A decision made before the cancel reached Redis moved the waiter (seq 1) to now.
      if (op === 'try') return Promise.resolve([1, 0, '0', '0', '0', 1, '1', '0', 'token-1']);
      return Promise.resolve([1, 0, '0', '0', '0', 0]);
    });
    const limiter = new RedisRateLimiter({ ...base, redis, clock });
    const controller = new AbortController();
    const leaving = limiter.acquire({ cost: 2, signal: controller.signal });
    await clock.advance(0);
    const moving = limiter.tryAcquire();
    controller.abort('left');
    await expect(leaving).rejects.toBe('left');
    await moving;
    cancelled.resolve([0, 0, '0', '0', '0', 0]); // not found: it was admitted already
    await vi.waitFor(() => expect(sent.map(({ op }) => op)).toEqual(['enter', 'try', 'cancel', 'refund']));
    expect(sent[3]!.args.slice(2, 4)).toEqual([2, 'token-1']);
    await clock.advance(0);
    expect(limiter.stats()).toMatchObject({ waiting: 0, admitted: 1, inFlight: 0 });
  });

  it('re-arms the waiters Redis moved up, and admits the ones moved to now', async () => {
    const clock = new ManualClock();
    let seq = 0;
    const { redis } = fakeRedis((op) => {
      if (op === 'enter') return Promise.resolve([1, 0, String(100 * ++seq), '0', '0', 0]);
      // The first waiter left: the second moves to now, the third to 30 ms from now.
      return Promise.resolve([1, 0, '0', '0', '0', 2, '2', '0', '7', '3', '30', '']);
    });
    const limiter = new RedisRateLimiter({ ...base, redis, clock });
    const controller = new AbortController();
    const admitted: [number, number][] = [];
    const first = limiter.acquire({ signal: controller.signal });
    void limiter.acquire().then(() => admitted.push([2, clock.now()]));
    void limiter.acquire().then(() => admitted.push([3, clock.now()]));
    await clock.advance(10);
    expect(limiter.stats().waiting).toBe(3);
    controller.abort('left');
    await expect(first).rejects.toBe('left');
    await clock.advance(0);
    expect(admitted).toEqual([[2, 10]]);
    await clock.advance(29);
    expect(admitted).toEqual([[2, 10]]);
    await clock.advance(1);
    expect(admitted).toEqual([[2, 10], [3, 40]]);
    expect(clock.pendingSleeps).toBe(0);
    expect(limiter.stats()).toMatchObject({ waiting: 0, admitted: 2 });
  });

  it('sends the caller clock time with each decision, or none for the server time', async () => {
    const { redis, sent } = fakeRedis(() => Promise.resolve([1, 1, '0', '0', '0', 0]));
    await new RedisRateLimiter({ ...base, redis }).tryAcquire();
    await new RedisRateLimiter({ ...base, redis, clock: new ManualClock(1234.5) }).tryAcquire();
    expect(sent.map(({ args }) => args[1])).toEqual(['', '1234.5']);
  });

  it('names its keys after the prefix, with a hash tag per key', async () => {
    const { redis, sent } = fakeRedis(() => Promise.resolve([1, 1, '0', '0', '0', 0]));
    const limiter = new RedisRateLimiter({ ...base, redis, prefix: 'app:' });
    await limiter.tryAcquire();
    await limiter.tryAcquire({ key: 'user:42' });
    expect(sent.map(({ keys }) => keys)).toEqual([
      ['app:{d}', 'app:{d}:q', 'app:{d}:l', 'app:{d}:c'],
      ['app:{k=user:42}', 'app:{k=user:42}:q', 'app:{k=user:42}:l', 'app:{k=user:42}:c'],
    ]);
  });

  it('asks Redis nothing for cost 0 in acquire and execute: it never waits', async () => {
    const { redis, sent } = fakeRedis(never);
    const limiter = new RedisRateLimiter({ ...base, redis });
    await expect(limiter.acquire({ cost: 0 })).resolves.toBeUndefined();
    await expect(limiter.execute(() => 1, { cost: 0 })).resolves.toBe(1);
    expect(sent).toEqual([]);
  });

  it('reports a listener that throws and carries on', async () => {
    const { redis } = fakeRedis(() => Promise.resolve([0, 0, '0', '0', '0', 0]));
    const limiter = new RedisRateLimiter({ ...base, redis });
    const report = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    limiter.on('acquire', () => {
      throw new Error('listener bug');
    });
    await expect(limiter.execute(() => 'ran')).resolves.toBe('ran');
    expect(report).toHaveBeenCalledTimes(1);
  });

  it('gives each decision a deadline on the server clock once it knows it, and none before', async () => {
    const serverAhead = 1_000_000;
    const { redis, sent } = fakeRedis(() => Promise.resolve([1, 1, '0', '0', String((performance.now() + serverAhead) / 1_000), 0]));
    const limiter = new RedisRateLimiter({ ...base, redis, storeTimeout: 500 });
    await limiter.tryAcquire();
    const before = performance.now();
    await limiter.tryAcquire();
    const after = performance.now();
    expect(sent[0]!.args[4]).toBe('');
    const deadline = Number(sent[1]!.args[4]);
    expect(deadline).toBeGreaterThanOrEqual(before + serverAhead + 500 - 50);
    expect(deadline).toBeLessThanOrEqual(after + serverAhead + 500);
  });

  it('sends a decision again once when Redis dropped it as late on time, and gives up after two', async () => {
    const answers = [[-1, 0, '0', '0', '0', 0], [1, 1, '0', '0', '0', 0]];
    const { redis, sent } = fakeRedis(() => Promise.resolve(answers.shift() ?? [-1, 0, '0', '0', '0', 0]));
    const limiter = new RedisRateLimiter({ ...base, redis, onStoreError: 'fail-closed' });
    expect(await limiter.tryAcquire()).toMatchObject({ allowed: true, remaining: 1 });
    expect(sent).toHaveLength(2);
    const errors: unknown[] = [];
    limiter.on('storeError', ({ error }) => void errors.push(error));
    expect(await limiter.tryAcquire()).toMatchObject({ allowed: false });
    expect(sent).toHaveLength(4);
    expect(errors).toEqual([new Error('RedisRateLimiter: Redis dropped the decision as late twice; its clock may be jumping')]);
  });
});
