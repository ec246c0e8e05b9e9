import { CircuitOpenError, ManualClock, pipeline } from '@cemaf/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { down, fakeRedis, never, reply, stateText, type Sent } from '../test/fake-redis.js';
import { boom, deferred, errorOf, flush, outcome } from '@cemaf/test-utils';
import { RedisCircuitBreaker, type RedisCircuitBreakerEvents } from './redis-circuit-breaker.js';

afterEach(() => {
  vi.useRealTimers();
});

const closedState = (generation = 1, view = '0') => stateText({ generation, state: 'c', view });
const ops = (sent: readonly Sent[], op: string) => sent.filter((call) => call.op === op);

/** Records the breaker's events as short lines. */
function record(breaker: RedisCircuitBreaker) {
  const lines: string[] = [];
  breaker.on('stateChange', ({ from, to }) => lines.push(`${from}->${to}`));
  breaker.on('fallback', ({ error }: RedisCircuitBreakerEvents['fallback']) => lines.push(`fallback: ${(error as Error).message}`));
  breaker.on('rejoin', () => lines.push('rejoin'));
  return lines;
}

describe('RedisCircuitBreaker without a server', () => {
  it('waits for its first answer from Redis, then follows it: a circuit open elsewhere turns calls away without calling fn', async () => {
    const clock = new ManualClock();
    const first = deferred<unknown>();
    const { redis, sent } = fakeRedis((call) => (call.op === 'sync' ? first.promise : never()));
    const breaker = new RedisCircuitBreaker({ redis, name: 'payments', clock });
    const changes = record(breaker);
    const fn = vi.fn(() => 'ran');
    const call = outcome(breaker.execute(fn));
    await flush();
    expect(fn).not.toHaveBeenCalled();
    expect(sent).toEqual([{ op: 'sync', now: '0', args: [''] }]);
    first.resolve(['0', stateText({ generation: 5, state: 'o', remaining: 30_000, streak: 1 }), 0]);
    const { error } = (await call) as { error: CircuitOpenError };
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error).toMatchObject({ code: 'CIRCUIT_OPEN', retryAfter: 30_000, isolated: false });
    expect(fn).not.toHaveBeenCalled();
    expect(breaker.state).toBe('open');
    await clock.advance(30_000);
    expect(breaker.state).toBe('half-open');
    expect(changes).toEqual(['closed->open', 'open->half-open']);
    expect(breaker.stats()).toMatchObject({ state: 'half-open', rejections: 1, timesOpened: 1, mode: 'shared' });
  });

  it('a caller that aborts while the first answer is on its way leaves at once, uncounted', async () => {
    const first = deferred<unknown>();
    const { redis } = fakeRedis(() => first.promise);
    const breaker = new RedisCircuitBreaker({ redis, name: 'early' });
    const controller = new AbortController();
    const fn = vi.fn(() => 'ran');
    const call = outcome(breaker.execute(fn, { signal: controller.signal }));
    controller.abort('gave up');
    expect(await call).toEqual({ error: 'gave up' });
    first.resolve(['0', closedState(), 0]);
    await flush();
    expect(fn).not.toHaveBeenCalled();
    expect(breaker.stats()).toMatchObject({ ignored: 0, successes: 0, pending: 0 });
  });

  it('sends the time of its clock when given one, and leaves it to the server otherwise', async () => {
    const { redis, sent } = fakeRedis(() => reply(closedState()));
    const clock = new ManualClock(1_234);
    new RedisCircuitBreaker({ redis, name: 'a', clock });
    new RedisCircuitBreaker({ redis, name: 'b' });
    await flush();
    expect(sent.map((call) => call.now)).toEqual(['1234', '']);
  });

  it('closed: calls never wait for Redis; outcomes are reported together on the flush timer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { redis, sent } = fakeRedis(() => reply(closedState()));
    const breaker = new RedisCircuitBreaker({ redis, name: 'catalog', flushInterval: 50, failureThreshold: 3 });
    await vi.advanceTimersByTimeAsync(0);
    for (let index = 0; index < 3; index++) await expect(breaker.execute(() => 'ok')).resolves.toBe('ok');
    await outcome(breaker.execute(() => boom()));
    await outcome(breaker.execute(() => boom()));
    await breaker.execute(() => 'ok');
    await outcome(breaker.execute(() => boom()));
    expect(ops(sent, 'report')).toEqual([]);
    expect(breaker.stats()).toMatchObject({ pending: 7, successes: 4, failures: 3, recentFailures: 1 });
    await vi.advanceTimersByTimeAsync(49);
    expect(ops(sent, 'report')).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    // The generation, how long an opening lasts, and the batch: 2 failures before the first
    // success, no run between successes, 1 failure after the last, a success seen.
    expect(ops(sent, 'report')).toEqual([{ op: 'report', now: '', args: ['1', '60000', '0 2 1 1'] }]);
    expect(breaker.stats().pending).toBe(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(ops(sent, 'report')).toHaveLength(1);
  });

  it('arms the flush timer unref’d, so that it keeps no process alive', async () => {
    const { redis } = fakeRedis(() => reply(closedState()));
    const breaker = new RedisCircuitBreaker({ redis, name: 'catalog', flushInterval: 10_000 });
    await flush();
    const timers = vi.spyOn(globalThis, 'setTimeout');
    await breaker.execute(() => 'ok');
    const timer = timers.mock.results[0]?.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    await breaker.close();
  });

  it('a failure that opens the circuit by this process’s count is reported at once, and its call settles once Redis has it', async () => {
    const answer = deferred<unknown>();
    const { redis, sent } = fakeRedis((call) => (call.op === 'sync' ? reply(closedState(7, '1')) : answer.promise));
    const breaker = new RedisCircuitBreaker({ redis, name: 'orders', failureThreshold: 2, resetTimeout: 5_000, clock: new ManualClock() });
    await flush();
    let settled = false;
    const failing = outcome(breaker.execute(() => boom('down'))).then((result) => {
      settled = true;
      return result;
    });
    await flush();
    expect(ops(sent, 'report')).toEqual([{ op: 'report', now: '0', args: ['7', '5000', '1 0 0 0'] }]);
    expect(settled).toBe(false);
    answer.resolve(['0', stateText({ generation: 8, state: 'o', remaining: 5_000, streak: 1 }), 0]);
    expect(await failing).toEqual({ error: new Error('down') });
    expect(breaker.state).toBe('open');
    expect(await errorOf(breaker.execute(() => 1))).toMatchObject({ retryAfter: 5_000 });
  });

  it('follows the transitions it hears of, newest generation first, and ignores older news', async () => {
    const clock = new ManualClock();
    const { redis, publish, subscriptions } = fakeRedis(() => reply(closedState(10)));
    const breaker = new RedisCircuitBreaker({ redis, name: 'search', prefix: 'app:', clock });
    const changes = record(breaker);
    await flush();
    expect(subscriptions.map((subscription) => subscription.channel)).toEqual(['app:{search}']);
    publish(stateText({ generation: 11, state: 'o', remaining: 2_000, streak: 1 }));
    expect(breaker.state).toBe('open');
    publish(closedState(10));
    publish('nonsense');
    expect(breaker.state).toBe('open');
    expect(await errorOf(breaker.execute(() => 1))).toMatchObject({ retryAfter: 2_000 });
    publish(closedState(12));
    expect(breaker.state).toBe('closed');
    publish(stateText({ generation: 13, state: 'i', next: 10_000 }));
    expect(await errorOf(breaker.execute(() => 1))).toMatchObject({ isolated: true, retryAfter: Infinity });
    expect(changes).toEqual(['closed->open', 'open->closed', 'closed->open']);
    expect(breaker.stats()).toMatchObject({ isolated: true, timesOpened: 1 });
  });

  it('news that a circuit is open, arriving after this process saw that open period turn half-open, changes nothing', async () => {
    const clock = new ManualClock();
    const { redis, publish } = fakeRedis(() => reply(closedState(10)));
    const breaker = new RedisCircuitBreaker({ redis, name: 'search', clock });
    const changes = record(breaker);
    await flush();
    publish(stateText({ generation: 11, state: 'o', remaining: 60_000, streak: 1 }));
    await clock.advance(60_000);
    expect(breaker.state).toBe('half-open');
    // Sent just before the open period ended (an answer to a call made then), heard after it:
    // within one generation the circuit only goes from open to half-open.
    publish(stateText({ generation: 11, state: 'o', remaining: 1, streak: 1 }));
    expect(breaker.state).toBe('half-open');
    expect(changes).toEqual(['closed->open', 'open->half-open']);
  });

  it('a trial slot refused because Redis was still open is given back here: the call is turned away as open, the next one asks again', async () => {
    const clock = new ManualClock();
    const answers = [deferred(), deferred()];
    const openState = (remaining: number) => stateText({ generation: 11, state: 'o', remaining, streak: 1 });
    const { redis, sent } = fakeRedis((call) => {
      if (call.op === 'sync') return reply(openState(1_000));
      if (call.op === 'trial') return answers[ops(sent, 'trial').length - 1]!.promise;
      return reply(closedState(12));
    });
    const breaker = new RedisCircuitBreaker({ redis, name: 'search', halfOpenMaxCalls: 1, clock });
    const changes = record(breaker);
    await flush();
    await clock.advance(1_000);
    const first = errorOf(breaker.execute(() => 'first'));
    await flush();
    // The clock moved on while the question was on its way.
    await clock.advance(1);
    answers[0]!.resolve(['1000', openState(1), 0]);
    expect(await first).toMatchObject({ code: 'CIRCUIT_OPEN', retryAfter: 1 });
    expect(breaker.state).toBe('half-open');
    const second = breaker.execute(() => 'second');
    await flush();
    expect(ops(sent, 'trial')).toHaveLength(2);
    answers[1]!.resolve(['1001', stateText({ generation: 11, state: 'h', streak: 1, taken: 1 }), 1]);
    await expect(second).resolves.toBe('second');
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
  });

  it('half-open here while Redis, whose clock runs behind, is still open: the answer reopens it here until Redis turns half-open', async () => {
    const clock = new ManualClock();
    let redisBehind = 30;
    const { redis, sent } = fakeRedis((call) => {
      if (call.op === 'sync') return reply(stateText({ generation: 11, state: 'o', remaining: 1_000, streak: 1 }));
      const remaining = 1_000 + redisBehind - clock.now();
      return reply(stateText({ generation: 11, state: remaining > 0 ? 'o' : 'h', remaining: Math.max(remaining, 0), streak: 1, taken: 1 }), remaining > 0 ? 0 : 1);
    });
    const breaker = new RedisCircuitBreaker({ redis, name: 'search', halfOpenMaxCalls: 1, clock });
    const changes = record(breaker);
    await flush();
    await clock.advance(1_000);
    expect(await errorOf(breaker.execute(() => 'early'))).toMatchObject({ code: 'CIRCUIT_OPEN', retryAfter: 30 });
    expect(breaker.state).toBe('open');
    await clock.advance(29);
    expect(await errorOf(breaker.execute(() => 'early'))).toMatchObject({ retryAfter: 1 });
    expect(ops(sent, 'trial')).toHaveLength(1);
    redisBehind = 0;
    await clock.advance(1);
    void outcome(breaker.execute(() => 'trial'));
    await flush();
    expect(ops(sent, 'trial')).toHaveLength(2);
    expect(changes).toEqual(['closed->open', 'open->half-open', 'half-open->open', 'open->half-open']);
  });

  it('half-open: asks Redis for a trial slot; with every slot taken it turns calls away without asking, until one frees', async () => {
    const clock = new ManualClock();
    const trialAnswer = deferred<unknown>();
    const endAnswer = deferred<unknown>();
    const halfOpen = (taken: number, next = -1, successes = 0) =>
      stateText({ generation: 3, state: 'h', streak: 1, taken, next, successes });
    const { redis, sent, publish } = fakeRedis((call) => {
      if (call.op === 'sync') return reply(halfOpen(0));
      if (call.op === 'trial') return trialAnswer.promise;
      return endAnswer.promise;
    });
    const breaker = new RedisCircuitBreaker({ redis, name: 'billing', halfOpenMaxCalls: 1, leaseTime: 900, clock });
    await flush();
    const trial = deferred<string>();
    const running = breaker.execute(() => trial.promise);
    await flush();
    const [asked] = ops(sent, 'trial');
    expect(asked).toMatchObject({ op: 'trial', args: [expect.any(String)] });
    // The slot is being asked for: others here are turned away at once.
    expect(await errorOf(breaker.execute(() => 1))).toMatchObject({ retryAfter: 0 });
    trialAnswer.resolve(['0', halfOpen(1, 900), 1]);
    await flush();
    expect(await errorOf(breaker.execute(() => 1))).toMatchObject({ retryAfter: 0 });
    expect(ops(sent, 'trial')).toHaveLength(1);
    trial.resolve('done');
    await flush();
    expect(ops(sent, 'end')).toEqual([{ op: 'end', now: '0', args: [asked!.args[0], '3', 's', '0'] }]);
    endAnswer.resolve(['0', closedState(4), 0]);
    await expect(running).resolves.toBe('done');
    expect(breaker.state).toBe('closed');

    // Another process holds the only slot: no asking until it frees (a message says so) or its
    // lease runs out.
    publish(halfOpen(1, 500).replace(/^3 /, '5 '));
    expect(breaker.state).toBe('half-open');
    const before = ops(sent, 'trial').length;
    expect(await errorOf(breaker.execute(() => 1))).toMatchObject({ retryAfter: 0 });
    await clock.advance(499);
    expect(await errorOf(breaker.execute(() => 1))).toMatchObject({ retryAfter: 0 });
    expect(ops(sent, 'trial')).toHaveLength(before);
    await clock.advance(1);
    void outcome(breaker.execute(() => 1));
    await flush();
    expect(ops(sent, 'trial')).toHaveLength(before + 1);
  });

  it('falls back to a local breaker with the same options while Redis fails, says so, and rejoins when its subscription is back', async () => {
    const clock = new ManualClock();
    let up = false;
    const { redis, subscriptions } = fakeRedis(() => (up ? reply(stateText({ generation: 9, state: 'o', remaining: 1_000, streak: 1 })) : down()));
    const breaker = new RedisCircuitBreaker({ redis, name: 'seed', failureThreshold: 5, resetTimeout: 60_000, clock });
    const events = record(breaker);
    await flush();
    expect(events).toEqual(['fallback: connect ECONNREFUSED 127.0.0.1:6379']);
    // The seed example, decided in this process alone.
    const fn = vi.fn(() => boom('down'));
    for (let index = 0; index < 5; index++) await outcome(breaker.execute(fn));
    expect(breaker.state).toBe('open');
    expect(await errorOf(breaker.execute(fn))).toMatchObject({ code: 'CIRCUIT_OPEN', retryAfter: 60_000 });
    expect(fn).toHaveBeenCalledTimes(5);
    expect(breaker.stats()).toMatchObject({ mode: 'local', failures: 5, rejections: 1, timesOpened: 1, storeErrors: 1 });
    expect(breaker.toJSON()).toEqual({ state: 'open', remaining: 60_000 });

    up = true;
    subscriptions[0]!.handlers.ready!();
    await flush();
    expect(breaker.stats()).toMatchObject({ mode: 'shared', failures: 5, rejections: 1, timesOpened: 2 });
    expect(await errorOf(breaker.execute(fn))).toMatchObject({ retryAfter: 1_000 });
    expect(events).toEqual(['fallback: connect ECONNREFUSED 127.0.0.1:6379', 'closed->open', 'rejoin']);
  });

  it('counts a Redis that does not answer within storeTimeout (real time) as failed', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const { redis } = fakeRedis(never);
    const breaker = new RedisCircuitBreaker({ redis, name: 'slow', storeTimeout: 200 });
    const events = record(breaker);
    const call = outcome(breaker.execute(() => 'ran'));
    await vi.advanceTimersByTimeAsync(199);
    expect(events).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(await call).toEqual({ value: 'ran' });
    expect(events).toEqual([
      'fallback: RedisCircuitBreaker: Redis did not answer within storeTimeout (200 ms); this process decides with its local breaker until Redis answers again',
    ]);
    const seen: unknown[] = [];
    breaker.on('fallback', ({ error }) => void seen.push(error));
    expect(breaker.stats()).toMatchObject({ mode: 'local', inFlight: 0 });
    await breaker.close();
  });

  it('an answer that comes after storeTimeout says Redis is reachable: the breaker asks again at once and rejoins, with no call', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const late = deferred();
    let calls = 0;
    const openElsewhere = stateText({ generation: 3, state: 'o', remaining: 5_000, streak: 1 });
    const { redis, sent } = fakeRedis(() => (++calls === 1 ? late.promise : reply(openElsewhere)), { subscribe: false });
    const breaker = new RedisCircuitBreaker({ redis, name: 'slow', storeTimeout: 200, clock: new ManualClock() });
    const events = record(breaker);
    await vi.advanceTimersByTimeAsync(200);
    expect(breaker.stats()).toMatchObject({ mode: 'local', storeErrors: 1 });
    expect(breaker.state).toBe('closed');

    late.resolve(['0', closedState(), 0]);
    await flush();
    expect(ops(sent, 'sync')).toHaveLength(2);
    expect(breaker.stats()).toMatchObject({ mode: 'shared', storeErrors: 1 });
    expect(breaker.state).toBe('open');
    expect(events).toEqual([
      'fallback: RedisCircuitBreaker: Redis did not answer within storeTimeout (200 ms); this process decides with its local breaker until Redis answers again',
      'closed->open',
      'rejoin',
    ]);
  });

  it('while Redis fails, calls ask it again at most every 250 ms of real time, one at a time', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const { redis, sent } = fakeRedis(down, { subscribe: false });
    const breaker = new RedisCircuitBreaker({ redis, name: 'probe', clock: new ManualClock() });
    await vi.advanceTimersByTimeAsync(0);
    for (let index = 0; index < 10; index++) await breaker.execute(() => 'ok');
    expect(ops(sent, 'sync')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(250);
    for (let index = 0; index < 10; index++) await breaker.execute(() => 'ok');
    expect(ops(sent, 'sync')).toHaveLength(2);
  });

  it('an answer that is not the script’s is a store error', async () => {
    const { redis } = fakeRedis(() => Promise.resolve('OK'));
    const breaker = new RedisCircuitBreaker({ redis, name: 'odd' });
    const events = record(breaker);
    await expect(breaker.execute(() => 'ran')).resolves.toBe('ran');
    expect(events).toEqual(['fallback: RedisCircuitBreaker: unexpected state from Redis: undefined']);
  });

  it('isolate() holds the circuit open here at once; the release settles once Redis has it and is also a Disposable', async () => {
    const { redis, sent } = fakeRedis((call) =>
      reply(call.op === 'isolate' ? stateText({ generation: 2, state: 'i', next: 10_000 }) : closedState(call.op === 'sync' ? 1 : 3)),
    );
    const breaker = new RedisCircuitBreaker({ redis, name: 'db', clock: new ManualClock() });
    const changes = record(breaker);
    await flush();
    const release = breaker.isolate();
    expect(breaker.state).toBe('open');
    expect(await errorOf(breaker.execute(() => 1))).toMatchObject({ isolated: true, retryAfter: Infinity });
    await flush();
    const [isolated] = ops(sent, 'isolate');
    expect(breaker.state).toBe('open');
    release[Symbol.dispose]();
    await release();
    await flush();
    expect(ops(sent, 'release')).toEqual([{ op: 'release', now: '0', args: [isolated!.args[0]] }]);
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['closed->open', 'open->closed']);
  });

  it('close() reports what is pending, gives back its trial slots and isolations, ends its subscription and timers, and rejects later calls', async () => {
    const clock = new ManualClock();
    const { redis, sent, subscriptions } = fakeRedis((call) =>
      reply(call.op === 'trial' ? stateText({ generation: 2, state: 'h', streak: 1, taken: 1 }) : stateText({ generation: 2, state: 'h', streak: 1 }), 1),
    );
    const breaker = new RedisCircuitBreaker({ redis, name: 'close', clock });
    await flush();
    void outcome(breaker.execute(() => new Promise(() => undefined)));
    await flush();
    const hold = breaker.isolate();
    await flush();
    const closing = breaker.close();
    expect(breaker.close()).toBe(closing);
    await closing;
    expect(subscriptions[0]!.closed).toBe(true);
    const [trial] = ops(sent, 'trial');
    const [isolation] = ops(sent, 'isolate');
    expect(ops(sent, 'end')).toEqual([{ op: 'end', now: '0', args: [trial!.args[0], '2', 'r', '0'] }]);
    expect(ops(sent, 'release')).toEqual([{ op: 'release', now: '0', args: [isolation!.args[0]] }]);
    await expect(breaker.execute(() => 1)).rejects.toThrow(new Error('RedisCircuitBreaker: this breaker was closed (close() was called); make a new one'));
    await hold();
    const count = sent.length;
    await breaker[Symbol.asyncDispose]();
    await breaker.reset();
    expect(sent).toHaveLength(count);
  });

  it('never throws synchronously; an aborted caller is never counted and never reaches Redis', async () => {
    const { redis, sent } = fakeRedis(() => reply(closedState()));
    const breaker = new RedisCircuitBreaker({ redis, name: 'inputs' });
    await flush();
    let result: Promise<unknown> | undefined;
    expect(() => (result = breaker.execute('nope' as never))).not.toThrow();
    await expect(result).rejects.toThrow(new TypeError('RedisCircuitBreaker: fn must be a function, got "nope"'));
    await expect(breaker.execute(() => 1, { signal: AbortSignal.abort('left') })).rejects.toBe('left');
    const controller = new AbortController();
    const running = breaker.execute(async () => {
      controller.abort();
      throw new Error('after abort');
    }, { signal: controller.signal });
    await expect(running).rejects.toThrow('after abort');
    expect(breaker.stats()).toMatchObject({ ignored: 1, failures: 0, pending: 0 });
    expect(ops(sent, 'report')).toEqual([]);
  });

  it('passes the context on, wraps functions, and works in a pipeline', async () => {
    const { redis } = fakeRedis(() => reply(closedState()));
    const breaker = new RedisCircuitBreaker({ redis, name: 'wrap' });
    const add = breaker.wrap((a: number, b: number) => a + b);
    await expect(add(2, 3)).resolves.toBe(5);
    await expect(breaker.execute(({ attempt }) => attempt, { attempt: 3 })).resolves.toBe(3);
    await expect(pipeline(breaker).execute(({ attempt }) => attempt)).resolves.toBe(1);
  });

  it('a listener that throws changes nothing', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { redis, publish } = fakeRedis(() => reply(closedState()));
    const breaker = new RedisCircuitBreaker({ redis, name: 'listeners' });
    breaker.on('stateChange', () => {
      throw new Error('listener bug');
    });
    await flush();
    publish(stateText({ generation: 2, state: 'o', remaining: 100, streak: 1 }));
    expect(breaker.state).toBe('open');
    expect(errors).toHaveBeenCalledTimes(1);
  });

  it('without a subscription, learns of transitions from the answers to its own reports', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let state = closedState(1);
    const { redis } = fakeRedis(() => reply(state), { subscribe: false });
    const breaker = new RedisCircuitBreaker({ redis, name: 'plain' });
    await vi.advanceTimersByTimeAsync(0);
    state = stateText({ generation: 2, state: 'o', remaining: 1_000, streak: 1 });
    await breaker.execute(() => 'ok');
    expect(breaker.state).toBe('closed');
    await vi.advanceTimersByTimeAsync(20);
    expect(breaker.state).toBe('open');
  });

  it('with a window, reports what slow calls and calls in a rate window need', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const clock = new ManualClock(5_000);
    const { redis, sent } = fakeRedis(() => reply(closedState(1, '0,0,0')));
    const count = new RedisCircuitBreaker({
      redis,
      name: 'count',
      window: { size: 10, minimumCalls: 10, slowCallDuration: 100 },
      clock,
    });
    const time = new RedisCircuitBreaker({ redis, name: 'time', window: { type: 'time', size: 1_000, minimumCalls: 10 }, clock });
    await vi.advanceTimersByTimeAsync(0);
    for (const breaker of [count, time]) {
      await breaker.execute(() => 'ok');
      await breaker.execute(() => 'ok');
      await outcome(breaker.execute(() => boom()));
      await breaker.execute(async () => {
        await clock.advance(150);
        return 'slow';
      });
    }
    expect(count.stats().window).toEqual({ calls: 4, failures: 1, slowCalls: 1 });
    await vi.advanceTimersByTimeAsync(20);
    // Runs of kinds for the count window; for the time window, each bucket (server time / 100 ms)
    // with its calls, failures and slow calls. The clock stands for the server's time here.
    expect(ops(sent, 'report').map((call) => call.args[2])).toEqual(['s2f1S1', '51 3 1 0 53 1 0 0']);
  });
});
