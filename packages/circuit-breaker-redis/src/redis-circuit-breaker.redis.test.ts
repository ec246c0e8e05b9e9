import { CircuitOpenError, ManualClock } from '@cemaf/core';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { boom, deferred, errorOf, eventually, outcome, sleep } from '@cemaf/test-utils';
import { CLIENT_KINDS, connect, redisServer, uniquePrefix, useRedis, type ClientKind } from '@cemaf/test-utils/redis';
import type { RedisCircuitBreakerOptions } from './options.js';
import { RedisCircuitBreaker, type RedisCircuitBreakerEvents } from './redis-circuit-breaker.js';

type Options = Omit<RedisCircuitBreakerOptions, 'redis' | 'name'>;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** Records every event of a breaker, as 'event payload' lines where that reads better. */
function watch(breaker: RedisCircuitBreaker) {
  const changes: string[] = [];
  const seen: [keyof RedisCircuitBreakerEvents, unknown][] = [];
  breaker.on('stateChange', ({ from, to }) => changes.push(`${from}->${to}`));
  for (const event of ['fallback', 'rejoin', 'reject'] as const) breaker.on(event, (payload) => void seen.push([event, payload]));
  return { changes, seen };
}

describe.skipIf(!redisServer.available)('RedisCircuitBreaker on a real Redis', () => {
  const redis = useRedis();

  describe.each(CLIENT_KINDS)('%s', (kind: ClientKind) => {
    /**
     * `count` breakers sharing one circuit, each on a connection of its own, as separate
     * processes would be; all are closed (and their connections) after the test.
     */
    async function shared(count: number, options: Options, name = uniquePrefix('circuit').replace(/[{}]/g, '')) {
      const breakers: RedisCircuitBreaker[] = [];
      const connections = [];
      for (let index = 0; index < count; index++) {
        const connection = await connect(kind, redis.url);
        const breaker = new RedisCircuitBreaker({ redis: connection.client as never, name, ...options });
        cleanups.push(() => connection.close());
        cleanups.push(() => breaker.close());
        breakers.push(breaker);
        connections.push(connection);
      }
      // Each has its first answer from Redis.
      for (const breaker of breakers) await eventually(() => breaker.stats().inFlight === 0);
      return { breakers, connections, name };
    }

    const failing = (breaker: RedisCircuitBreaker, times = 1) =>
      Promise.all(Array.from({ length: times }, () => outcome(breaker.execute(() => boom('service down')))));

    it('the seed example: 5 failures open the circuit for every process, for 60 s; a trial success closes it for all', async () => {
      const clock = new ManualClock();
      const {
        breakers: [one, two],
      } = await shared(2, { failureThreshold: 5, resetTimeout: 60_000, clock });
      const a = watch(one!);
      const b = watch(two!);
      const fn = vi.fn(() => boom('service down'));
      for (let index = 0; index < 4; index++) await outcome(one!.execute(fn));
      expect(one!.state).toBe('closed');
      // The fifth failure, by this process's own count, opens the circuit: it is reported at
      // once, and its call settles once Redis has it.
      await outcome(one!.execute(fn));
      expect(one!.state).toBe('open');
      const refused = await errorOf(one!.execute(fn));
      expect(refused).toBeInstanceOf(CircuitOpenError);
      expect(refused).toMatchObject({ code: 'CIRCUIT_OPEN', retryAfter: 60_000, isolated: false });
      expect(fn).toHaveBeenCalledTimes(5);

      // The other process hears of it through pub/sub, without calling anything.
      await eventually(() => two!.state === 'open');
      expect(await errorOf(two!.execute(fn))).toMatchObject({ code: 'CIRCUIT_OPEN', retryAfter: 60_000 });
      expect(fn).toHaveBeenCalledTimes(5);

      await clock.advance(59_999);
      expect(await errorOf(two!.execute(fn))).toMatchObject({ retryAfter: 1 });
      await clock.advance(1);
      expect(two!.state).toBe('half-open');
      expect(one!.state).toBe('half-open');
      await expect(two!.execute(() => 'trial ok')).resolves.toBe('trial ok');
      expect(two!.state).toBe('closed');
      await eventually(() => one!.state === 'closed');
      await expect(one!.execute(() => 'back')).resolves.toBe('back');

      expect(a.changes).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
      expect(b.changes).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
      expect(one!.stats()).toMatchObject({ mode: 'shared', failures: 5, rejections: 1, timesOpened: 1, storeErrors: 0 });
      expect(two!.stats()).toMatchObject({ successes: 1, rejections: 2, timesOpened: 1 });
    });

    it('counts failures over every process: 3 processes failing twice each open a threshold of 5', async () => {
      const {
        breakers: [one, two, three],
      } = await shared(3, { failureThreshold: 5, resetTimeout: 60_000 });
      await failing(one!, 2);
      await failing(two!, 2);
      expect(one!.state).toBe('closed');
      await failing(three!, 2);
      // No process saw 5 by itself: the flush timer reports the batches, Redis opens.
      for (const breaker of [one!, two!, three!]) await eventually(() => breaker.state === 'open');
      expect((await errorOf(three!.execute(() => 'x'))) as CircuitOpenError).toMatchObject({ code: 'CIRCUIT_OPEN' });
    });

    it('consecutive failures: a success in another process starts the count over', async () => {
      const {
        breakers: [one, two],
      } = await shared(2, { failureThreshold: 4 });
      await failing(one!, 3);
      await eventually(() => one!.stats().pending === 0 && one!.stats().inFlight === 0);
      await two!.execute(() => 'ok');
      await eventually(() => two!.stats().pending === 0 && two!.stats().inFlight === 0);
      await failing(one!, 3);
      await eventually(() => one!.stats().pending === 0 && one!.stats().inFlight === 0);
      expect(one!.state).toBe('closed');
      expect(one!.stats().recentFailures).toBe(3);
      await failing(one!, 1);
      expect(one!.state).toBe('open');
    });

    it('half-open: exactly halfOpenMaxCalls trials over all processes; successThreshold successes close it for all', async () => {
      const clock = new ManualClock();
      const { breakers } = await shared(3, { failureThreshold: 1, resetTimeout: 1_000, halfOpenMaxCalls: 2, successThreshold: 2, clock });
      const [one, two, three] = breakers as [RedisCircuitBreaker, RedisCircuitBreaker, RedisCircuitBreaker];
      await failing(one);
      for (const breaker of breakers) await eventually(() => breaker.state === 'open');
      await clock.advance(1_000);

      const first = deferred<string>();
      const second = deferred<string>();
      const trials = [one.execute(() => first.promise), two.execute(() => second.promise)];
      await eventually(() => one.stats().inFlight === 0 && two.stats().inFlight === 0);
      // Both slots are taken, by two processes: a third call, anywhere, is turned away.
      const fn = vi.fn(() => 'not run');
      const refused = await errorOf(three.execute(fn));
      expect(refused).toMatchObject({ code: 'CIRCUIT_OPEN', retryAfter: 0, isolated: false });
      expect((refused as Error).message).toBe(
        'Circuit is half-open with every trial slot taken, so the call was not made; retry once a trial ends',
      );
      expect(await errorOf(one.execute(fn))).toMatchObject({ retryAfter: 0 });
      expect(fn).not.toHaveBeenCalled();

      first.resolve('first');
      await expect(trials[0]).resolves.toBe('first');
      expect(one.state).toBe('half-open');
      // One success of two: still half-open, and the slot it freed can be taken elsewhere.
      const third = deferred<string>();
      let started = false;
      let thirdTrial: Promise<unknown> = Promise.resolve();
      await eventually(async () => {
        thirdTrial = three.execute(() => {
          started = true;
          return third.promise;
        });
        await Promise.race([outcome(thirdTrial), sleep(20)]);
        return started;
      });
      expect(await errorOf(one.execute(fn))).toMatchObject({ retryAfter: 0 });
      second.resolve('second');
      await expect(trials[1]).resolves.toBe('second');
      for (const breaker of breakers) await eventually(() => breaker.state === 'closed');
      // The trial still running when the circuit closed counts nowhere.
      third.reject(new Error('late'));
      await outcome(thirdTrial);
      expect(three.state).toBe('closed');
    });

    it('a failed trial opens the circuit again everywhere, for resetTimeout of the times opened in a row', async () => {
      const clock = new ManualClock();
      const resetTimeout = vi.fn((times: number) => times * 1_000);
      const {
        breakers: [one, two],
      } = await shared(2, { failureThreshold: 1, resetTimeout, clock });
      await failing(one!);
      await eventually(() => two!.state === 'open');
      expect(await errorOf(two!.execute(() => 1))).toMatchObject({ retryAfter: 1_000 });
      await clock.advance(1_000);
      await failing(two!);
      expect(two!.state).toBe('open');
      await eventually(() => one!.state === 'open' && one!.stats().retryAfter === 2_000);
      expect(resetTimeout).toHaveBeenCalledWith(2);
      await clock.advance(2_000);
      await expect(one!.execute(() => 'well')).resolves.toBe('well');
      await eventually(() => two!.state === 'closed');
    });

    it('errors excluded by isFailure count nowhere, and a trial ending with one gives its slot back', async () => {
      const clock = new ManualClock();
      const isFailure = (error: unknown) => !(error instanceof Error && error.message === 'not found');
      const {
        breakers: [one, two],
      } = await shared(2, { failureThreshold: 2, resetTimeout: 100, isFailure, clock });
      for (let index = 0; index < 5; index++) await outcome(one!.execute(() => boom('not found')));
      await failing(one!);
      await eventually(() => one!.stats().pending === 0 && one!.stats().inFlight === 0);
      expect(one!.state).toBe('closed');
      expect(one!.stats()).toMatchObject({ ignored: 5, failures: 1 });
      await failing(two!);
      await eventually(() => one!.state === 'open');
      await clock.advance(100);
      const notFound = await errorOf(one!.execute(() => boom('not found')));
      expect((notFound as Error).message).toBe('not found');
      expect(one!.state).toBe('half-open');
      // The slot is free again at once: another process's trial goes ahead.
      await expect(two!.execute(() => 'found')).resolves.toBe('found');
      await eventually(() => one!.state === 'closed');
    });

    it('aborts count nowhere; a trial whose caller aborts gives its slot back at once', async () => {
      const clock = new ManualClock();
      const {
        breakers: [one, two],
      } = await shared(2, { failureThreshold: 1, resetTimeout: 100, clock });
      const controller = new AbortController();
      const running = one!.execute(() => new Promise((_, reject) => controller.signal.addEventListener('abort', () => reject(new Error('aborted')))), {
        signal: controller.signal,
      });
      controller.abort();
      await outcome(running);
      await expect(one!.execute(() => Promise.reject(new Error('x')), { signal: AbortSignal.abort('gone') })).rejects.toBe('gone');
      await eventually(() => one!.stats().inFlight === 0);
      expect(one!.state).toBe('closed');
      expect(one!.stats()).toMatchObject({ ignored: 1, failures: 0 });

      await failing(one!);
      await eventually(() => two!.state === 'open');
      await clock.advance(100);
      const trialCaller = new AbortController();
      const hung = one!.execute(() => new Promise(() => undefined), { signal: trialCaller.signal });
      await eventually(() => one!.stats().inFlight === 0);
      expect(await errorOf(two!.execute(() => 'no slot'))).toMatchObject({ retryAfter: 0 });
      trialCaller.abort('caller left');
      void hung;
      // The slot went back in Redis; the message that says so lets the other process try.
      await eventually(async () => 'value' in (await outcome(two!.execute(() => 'trial'))));
      await eventually(() => one!.state === 'closed');
    });

    it('failureWindow: failures from every process within the window open it; older ones do not', async () => {
      const clock = new ManualClock();
      const {
        breakers: [one, two],
      } = await shared(2, { failureThreshold: 3, failureWindow: 1_000, resetTimeout: 500, clock });
      const settled = () => [one!, two!].every((breaker) => breaker.stats().pending + breaker.stats().inFlight === 0);
      await failing(one!);
      await clock.advance(600);
      await failing(two!);
      await two!.execute(() => 'successes change nothing here');
      await eventually(settled);
      await clock.advance(500);
      // t = 1100: the failures at 0, 600 and 1100 span more than the window.
      await failing(one!);
      await eventually(settled);
      expect(one!.state).toBe('closed');
      await clock.advance(50);
      // t = 1150: those at 600, 1100 and 1150 do not.
      await failing(two!);
      for (const breaker of [one!, two!]) await eventually(() => breaker.state === 'open');
    });

    it("a count window: a failure rate over every process's last calls, and slow calls", async () => {
      const clock = new ManualClock();
      const window = { type: 'count' as const, size: 4, minimumCalls: 4, failureRate: 0.5, slowCallDuration: 100, slowCallRate: 0.75 };
      const {
        breakers: [one, two],
      } = await shared(2, { window, resetTimeout: 1_000, clock });
      await one!.execute(() => 'ok');
      await failing(two!);
      await one!.execute(() => 'ok');
      await eventually(() => one!.stats().pending + two!.stats().pending === 0 && one!.stats().inFlight + two!.stats().inFlight === 0);
      expect(one!.state).toBe('closed');
      await failing(two!);
      // 2 of the last 4 failed: 50%.
      for (const breaker of [one!, two!]) await eventually(() => breaker.state === 'open');

      const other = await shared(2, { window, resetTimeout: 1_000, clock });
      const slow = (breaker: RedisCircuitBreaker) =>
        breaker.execute(async () => {
          await clock.advance(150);
          return 'slow';
        });
      await slow(other.breakers[0]!);
      await slow(other.breakers[1]!);
      await other.breakers[0]!.execute(() => 'fast');
      expect(other.breakers[0]!.state).toBe('closed');
      await slow(other.breakers[1]!);
      for (const breaker of other.breakers) await eventually(() => breaker.state === 'open');
    });

    it('a time window: the calls of the last size ms, over every process', async () => {
      const clock = new ManualClock(10_000);
      const window = { type: 'time' as const, size: 1_000, minimumCalls: 3, failureRate: 0.6 };
      const {
        breakers: [one, two],
      } = await shared(2, { window, resetTimeout: 1_000, clock });
      await failing(one!);
      await failing(two!);
      await clock.advance(1_100);
      // Those two have left the window.
      await one!.execute(() => 'ok');
      await failing(two!);
      await eventually(() => one!.stats().pending + two!.stats().pending === 0 && one!.stats().inFlight + two!.stats().inFlight === 0);
      expect(two!.state).toBe('closed');
      await failing(one!);
      // 2 of 3 within the window: 67% >= 60%.
      for (const breaker of [one!, two!]) await eventually(() => breaker.state === 'open');
    });

    it('isolate() holds the circuit open in every process; isolations nest; the last release closes it with fresh counts', async () => {
      const {
        breakers: [one, two],
      } = await shared(2, { failureThreshold: 3 });
      const a = watch(one!);
      const b = watch(two!);
      await failing(two!, 2);
      const releaseOne = one!.isolate();
      // At once here, without waiting for Redis.
      expect(one!.state).toBe('open');
      expect(await errorOf(one!.execute(() => 1))).toMatchObject({ code: 'CIRCUIT_OPEN', isolated: true, retryAfter: Infinity });
      await eventually(() => two!.state === 'open');
      expect(await errorOf(two!.execute(() => 1))).toMatchObject({ isolated: true, retryAfter: Infinity });
      expect(two!.stats()).toMatchObject({ isolated: true, retryAfter: Infinity });
      const releaseTwo = two!.isolate();
      await releaseOne();
      await releaseOne();
      await sleep(20);
      expect(two!.state).toBe('open');
      expect(one!.state).toBe('open');
      releaseTwo[Symbol.dispose]();
      for (const breaker of [one!, two!]) await eventually(() => breaker.state === 'closed');
      // Fresh counts: the two failures before are forgotten.
      await failing(two!, 2);
      await eventually(() => two!.stats().pending === 0 && two!.stats().inFlight === 0);
      expect(two!.state).toBe('closed');
      expect(a.changes).toEqual(['closed->open', 'open->closed']);
      expect(b.changes).toEqual(['closed->open', 'open->closed']);
    });

    it('an isolation whose process stops renewing it ends after leaseTime', async () => {
      const {
        breakers: [one, two],
        connections,
      } = await shared(2, { leaseTime: 300 });
      one!.isolate();
      await eventually(() => two!.state === 'open');
      // The holder's connection dies with it: no renewal, no release.
      await connections[0]!.close();
      expect(await errorOf(two!.execute(() => 1))).toMatchObject({ isolated: true });
      await eventually(async () => 'value' in (await outcome(two!.execute(() => 'through'))), 3_000);
      expect(two!.state).toBe('closed');
    });

    it('reset() closes the circuit everywhere with fresh counts; calls running then count nowhere; an isolation stays', async () => {
      const {
        breakers: [one, two],
      } = await shared(2, { failureThreshold: 2 });
      await failing(one!, 2);
      await eventually(() => two!.state === 'open');
      await one!.reset();
      expect(one!.state).toBe('closed');
      expect(one!.stats()).toMatchObject({ failures: 0, rejections: 0, timesOpened: 0 });
      await eventually(() => two!.state === 'closed');

      const running = deferred<never>();
      const late = outcome(one!.execute(() => running.promise));
      await failing(one!);
      await one!.reset();
      running.reject(new Error('late'));
      await late;
      await failing(one!);
      await eventually(() => one!.stats().pending === 0 && one!.stats().inFlight === 0);
      // One failure since the reset: the late one counted nowhere.
      expect(one!.state).toBe('closed');

      const release = two!.isolate();
      await eventually(() => one!.state === 'open');
      await one!.reset();
      expect(one!.state).toBe('open');
      await release();
      await eventually(() => one!.state === 'closed');
    });

    it('close() reports what is pending, gives back trial slots and isolations, ends its own connection, and never the client', async () => {
      const clock = new ManualClock();
      const { breakers, connections, name } = await shared(2, { failureThreshold: 2, resetTimeout: 100, clock });
      const [one, two] = breakers as [RedisCircuitBreaker, RedisCircuitBreaker];
      const admin = new Redis(redis.url);
      cleanups.push(async () => admin.disconnect());
      const connectionsBefore = clientCount(await admin.client('LIST') as string);

      await failing(one);
      await one.close();
      expect(clientCount(await admin.client('LIST') as string)).toBe(connectionsBefore - 1);
      // Its failure was reported before it closed: one more anywhere opens the circuit.
      await failing(two);
      await eventually(() => two.state === 'open');
      await expect(one.execute(() => 1)).rejects.toThrow('RedisCircuitBreaker: this breaker was closed (close() was called); make a new one');

      // A trial slot held by a breaker that closes is free at once.
      await clock.advance(100);
      const third = new RedisCircuitBreaker({ redis: connections[0]!.client as never, name, failureThreshold: 2, resetTimeout: 100, clock });
      cleanups.push(() => third.close());
      const hung = outcome(third.execute(() => new Promise(() => undefined)));
      await eventually(() => third.stats().inFlight === 0);
      expect(await errorOf(two.execute(() => 1))).toMatchObject({ retryAfter: 0 });
      third.isolate();
      await third[Symbol.asyncDispose]();
      void hung;
      await eventually(async () => 'value' in (await outcome(two.execute(() => 'trial'))));
      expect(two.state).toBe('closed');
      // The clients the breakers were given still work.
      for (const connection of connections) {
        const adapterless = connection.client as { ping?: () => Promise<string>; PING?: () => Promise<string> };
        await expect((adapterless.ping ?? adapterless.PING)!.call(connection.client)).resolves.toBe('PONG');
      }
    });

    it('breakers on one client share one pub/sub connection, which ends with the last of them', async () => {
      const admin = new Redis(redis.url);
      cleanups.push(async () => admin.disconnect());
      const count = async () => clientCount((await admin.client('LIST')) as string);
      const connection = await connect(kind, redis.url);
      cleanups.push(() => connection.close());
      const before = await count();
      const breakers = ['a', 'b', 'c', 'd', 'e'].map(
        (name) => new RedisCircuitBreaker({ redis: connection.client as never, name: `${uniquePrefix('one-client').replace(/[{}]/g, '')}${name}` }),
      );
      for (const breaker of breakers) cleanups.push(() => breaker.close());
      await eventually(async () => (await count()) === before + 1);
      for (const breaker of breakers.slice(1)) await breaker.close();
      expect(await count()).toBe(before + 1);
      await breakers[0]!.close();
      await eventually(async () => (await count()) === before);
    });

    it('starts from initialState when Redis has nothing, and from Redis otherwise; a process starting while it is open never calls fn', async () => {
      const clock = new ManualClock();
      const name = uniquePrefix('initial').replace(/[{}]/g, '');
      const {
        breakers: [first],
      } = await shared(1, { initialState: { state: 'open', remaining: 5_000 }, clock }, name);
      const fn = vi.fn(() => 'called');
      expect(await errorOf(first!.execute(fn))).toMatchObject({ retryAfter: 5_000 });
      const {
        breakers: [second],
      } = await shared(1, { initialState: { state: 'closed' }, clock }, name);
      expect(await errorOf(second!.execute(fn))).toMatchObject({ retryAfter: 5_000 });
      expect(second!.toJSON()).toEqual({ state: 'open', remaining: 5_000 });
      expect(fn).not.toHaveBeenCalled();
    });

    it('keeps its keys under one hash tag, and lets them expire', async () => {
      const prefix = `${uniquePrefix('keys').replace(/[{}]/g, '')}`;
      const connection = await connect(kind, redis.url);
      cleanups.push(() => connection.close());
      const breaker = new RedisCircuitBreaker({ redis: connection.client as never, name: 'payments', prefix, failureThreshold: 1, halfOpenMaxCalls: 1, resetTimeout: 0 });
      cleanups.push(() => breaker.close());
      await failing(breaker);
      const hung = outcome(breaker.execute(() => new Promise(() => undefined)));
      await eventually(() => breaker.stats().inFlight === 0);
      const admin = new Redis(redis.url);
      cleanups.push(async () => admin.disconnect());
      const expectKeys = async (suffixes: string[]) => {
        const keys = (await admin.keys(`${prefix}*`)).sort();
        expect(keys).toEqual(suffixes.map((suffix) => `${prefix}{payments}${suffix}`));
        for (const key of keys) {
          const ttl = await admin.pttl(key);
          expect(ttl).toBeGreaterThan(86_000_000);
          expect(ttl).toBeLessThanOrEqual(86_400_000);
        }
      };
      // The circuit and its trial leases; then, isolated, its holds (an isolation ends trials).
      await expectKeys(['', ':t']);
      const release = breaker.isolate();
      await eventually(() => breaker.stats().inFlight === 0);
      await expectKeys(['', ':i']);
      await release();
      void hung;
    });

    it('never leaves an unhandled rejection', async () => {
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => void unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      cleanups.push(async () => void process.off('unhandledRejection', onUnhandled));
      const clock = new ManualClock();
      const { breakers } = await shared(2, { failureThreshold: 1, resetTimeout: 10, clock });
      await failing(breakers[0]!);
      void breakers[1]!.execute(() => 1).catch(() => undefined);
      await clock.advance(10);
      await outcome(breakers[1]!.execute(() => boom()));
      const release = breakers[0]!.isolate();
      void release();
      await breakers[0]!.reset();
      await sleep(50);
      expect(unhandled).toEqual([]);
    });
  });
});

/** The number of connections in a CLIENT LIST reply, the asking one excluded. */
function clientCount(list: string): number {
  return list.trim().split('\n').length - 1;
}
