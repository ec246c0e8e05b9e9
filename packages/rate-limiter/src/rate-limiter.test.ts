import { ManualClock, pipeline, RateLimitExceededError, type ExecutionContext } from '@cemaf/core';
import { describe, expect, it, vi } from 'vitest';
import { LateClock } from '../test/late-clock.js';
import { RateLimiter, type RateLimiterEvents } from './rate-limiter.js';
import type { RateLimiterOptions } from './options.js';

function setup(options: Partial<RateLimiterOptions> = {}) {
  const clock = new ManualClock();
  const limiter = new RateLimiter({ maxCalls: 2, timeWindow: 100, clock, ...options });
  /** Records when each promise settles, in virtual time. */
  const track = (promise: Promise<unknown>) => {
    const record: { at?: number; value?: unknown; error?: unknown } = {};
    promise.then(
      (value) => Object.assign(record, { at: clock.now(), value }),
      (error: unknown) => Object.assign(record, { at: clock.now(), error }),
    );
    return record;
  };
  return { clock, limiter, track };
}

describe('RateLimiter.execute', () => {
  it('runs fn at once while permits are free, with the caller context', async () => {
    const { limiter } = setup();
    const signal = new AbortController().signal;
    const seen: ExecutionContext[] = [];
    const result = await limiter.execute((ctx) => {
      seen.push(ctx);
      return 'value';
    }, { signal, attempt: 3 });
    expect(result).toBe('value');
    expect(seen[0]!.signal).toBe(signal);
    expect(seen[0]!.attempt).toBe(3);
  });

  it('throttles calls over the limit: each waits for its slot and runs then, in arrival order', async () => {
    const { clock, limiter } = setup();
    const started: [number, number][] = [];
    const calls = [0, 1, 2, 3, 4].map((index) => limiter.execute(() => started.push([index, clock.now()])));
    await clock.advance(1_000);
    await Promise.all(calls);
    expect(started).toEqual([[0, 0], [1, 0], [2, 100], [3, 100], [4, 200]]);
    expect(clock.pendingSleeps).toBe(0);
  });

  it('turns a synchronous throw into a rejection, passes non-Errors through, and spends the permit', async () => {
    const { limiter } = setup();
    const error = new Error('boom');
    await expect(limiter.execute(() => {
      throw error;
    })).rejects.toBe(error);
    await expect(limiter.execute(() => Promise.reject(undefined))).rejects.toBeUndefined();
    expect(limiter.tryAcquire()).toMatchObject({ allowed: false });
  });

  it('rejects at once with the reason of an already aborted signal, without taking a permit or running fn', async () => {
    const { limiter } = setup();
    const fn = vi.fn();
    const reason = new Error('cancelled');
    await expect(limiter.execute(fn, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(fn).not.toHaveBeenCalled();
    expect(limiter.tryAcquire({ cost: 0 }).remaining).toBe(2);
  });

  it('keeps the budget of the key the caller gives through pipeline()', async () => {
    const { limiter } = setup({ maxCalls: 1 });
    const outer = { execute: <T>(fn: (ctx: ExecutionContext) => T | PromiseLike<T>) => Promise.resolve(fn({ signal: new AbortController().signal, attempt: 1 })) };
    const policy = pipeline(outer, limiter);
    await policy.execute(() => 'a', { key: 'user-a' });
    await policy.execute(() => 'b', { key: 'user-b' });
    expect(limiter.tryAcquire({ key: 'user-a' }).allowed).toBe(false);
    expect(limiter.tryAcquire({ key: 'user-b' }).allowed).toBe(false);
    expect(limiter.tryAcquire({ key: 'user-c' }).allowed).toBe(true);
    expect(limiter.tryAcquire().allowed).toBe(true);
  });

  it('takes the cost the caller gives through pipeline()', async () => {
    const { limiter } = setup({ maxCalls: 5 });
    await pipeline(limiter).execute(() => undefined, { cost: 4 });
    expect(limiter.tryAcquire({ cost: 0 }).remaining).toBe(1);
  });
});

describe('RateLimiter.wrap', () => {
  it("calls fn with its arguments and this, through the limiter's own budget", async () => {
    const { clock, limiter } = setup({ maxCalls: 1 });
    const service = {
      prefix: 'user',
      load(id: number) {
        return `${this.prefix}:${id}@${clock.now()}`;
      },
    };
    const load = limiter.wrap(service.load);
    const first = load.call(service, 1);
    const second = load.call(service, 2);
    await clock.advance(100);
    expect(await first).toBe('user:1@0');
    expect(await second).toBe('user:2@100');
  });
});

describe('RateLimiter waiting', () => {
  it('sleeps once per waiter on the clock, until its slot: no polling', async () => {
    const { clock, limiter } = setup({ maxCalls: 1, timeWindow: 1_000 });
    void limiter.acquire();
    const waiters = [1, 2, 3].map(() => limiter.acquire());
    expect(clock.pendingSleeps).toBe(3);
    await clock.advance(3_000);
    await Promise.all(waiters);
    expect(clock.pendingSleeps).toBe(0);
  });

  it('queues, admits and aborts waiters without making an AbortController (costly to make and abort)', async () => {
    const { clock, limiter, track } = setup({ maxCalls: 1 });
    const caller = new AbortController();
    const made = vi.fn();
    vi.stubGlobal('AbortController', class extends AbortController {
      constructor() {
        super();
        made();
      }
    });
    try {
      await limiter.acquire();
      const leaving = track(limiter.acquire({ signal: caller.signal }));
      const staying = [track(limiter.acquire()), track(limiter.execute(() => 'ran'))];
      caller.abort();
      await clock.advance(200);
      expect(leaving.error).toBe(caller.signal.reason);
      expect(staying.map(({ at }) => at)).toEqual([100, 200]);
      expect(made).not.toHaveBeenCalled();
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('allows waiting exactly maxWait, and rejects beyond it at once with retryAfter', async () => {
    const { clock, limiter, track } = setup({ maxWait: 100 });
    await limiter.acquire({ cost: 2 });
    const onTime = track(limiter.acquire());
    const late = track(limiter.acquire({ cost: 2 }));
    await clock.advance(0);
    expect(late.error).toBeInstanceOf(RateLimitExceededError);
    expect(late.error).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfter: 200,
      message: 'Rate limit exceeded: the permits are free in 200 ms, beyond maxWait (100 ms)',
    });
    expect(late.at).toBe(0);
    await clock.advance(100);
    expect(onTime.at).toBe(100);
  });

  it('with maxWait 0 never waits', async () => {
    const { clock, limiter } = setup({ maxWait: 0 });
    await limiter.acquire({ cost: 2 });
    await expect(limiter.execute(() => 'ran')).rejects.toMatchObject({ retryAfter: 100 });
    expect(clock.pendingSleeps).toBe(0);
  });

  it('lets maxQueue callers wait per key and rejects the next one at once', async () => {
    const { clock, limiter, track } = setup({ maxQueue: 1 });
    await limiter.acquire({ cost: 2 });
    const waiting = track(limiter.acquire());
    const refused = track(limiter.acquire());
    const otherKey = track(limiter.acquire({ key: 'other' }));
    await clock.advance(0);
    expect(refused.error).toMatchObject({
      name: 'RateLimitExceededError',
      retryAfter: 100,
      message: 'Rate limit exceeded: the permits are free in 100 ms, and maxQueue (1) callers wait already',
    });
    expect(otherKey.at).toBe(0);
    await clock.advance(100);
    expect(waiting.at).toBe(100);
  });

  it('with maxQueue 0 never waits', async () => {
    const { limiter } = setup({ maxQueue: 0 });
    await limiter.acquire({ cost: 2 });
    await expect(limiter.acquire()).rejects.toBeInstanceOf(RateLimitExceededError);
  });

  it('serves equal slots in arrival order, costs included', async () => {
    const { clock, limiter } = setup({ maxCalls: 4 });
    await limiter.acquire({ cost: 4 });
    const order: string[] = [];
    const calls = (['a3', 'b1', 'c1', 'd2'] as const).map((name) =>
      limiter.execute(() => order.push(`${name}@${clock.now()}`), { cost: Number(name[1]) }),
    );
    await clock.advance(1_000);
    await Promise.all(calls);
    // b1 would fit beside a3 at 100, but c1 and d2 may not pass it: d2 waits for the next window.
    expect(order).toEqual(['a3@100', 'b1@100', 'c1@200', 'd2@200']);
  });
});

describe('RateLimiter aborts', () => {
  it('rejects a waiter at once with its reason, clears its sleep and gives its slot to the next', async () => {
    const { clock, limiter, track } = setup({ maxCalls: 1 });
    await limiter.acquire();
    const controller = new AbortController();
    const first = track(limiter.acquire({ signal: controller.signal }));
    const second = track(limiter.acquire());
    const third = track(limiter.acquire());
    expect(clock.pendingSleeps).toBe(3);
    await clock.advance(10);
    controller.abort('left');
    await clock.advance(0);
    expect(first).toEqual({ at: 10, error: 'left' });
    expect(clock.pendingSleeps).toBe(2);
    await clock.advance(1_000);
    // The times they would have had if the first had never come.
    expect([second.at, third.at]).toEqual([100, 200]);
  });

  it('moves the waiters behind an aborted middle one up to the slots they would have had', async () => {
    const { clock, limiter, track } = setup({ maxCalls: 1 });
    await limiter.acquire();
    const controller = new AbortController();
    const a = track(limiter.acquire());
    const b = track(limiter.acquire({ signal: controller.signal }));
    const c = track(limiter.acquire());
    await clock.advance(150);
    expect(a.at).toBe(100);
    controller.abort();
    await clock.advance(1_000);
    expect(b.error).toBeInstanceOf(DOMException);
    expect(c.at).toBe(200);
  });

  it('ignores an abort after admission, and adds one listener to a signal its waiters share', async () => {
    const { clock, limiter } = setup({ maxCalls: 1 });
    await limiter.acquire();
    const controller = new AbortController();
    const add = vi.spyOn(controller.signal, 'addEventListener');
    const fn = vi.fn(() => 'ran');
    // Node warns of a leak from a signal's 11th listener: 20 waiters on one signal make none.
    const calls = Array.from({ length: 20 }, () => limiter.execute(fn, { signal: controller.signal }));
    await clock.advance(2_000);
    expect(await Promise.all(calls)).toEqual(Array(20).fill('ran'));
    expect(add).toHaveBeenCalledOnce();
    controller.abort();
    expect(limiter.tryAcquire({ cost: 0 }).remaining).toBe(0);
  });
});

describe('RateLimiter keys', () => {
  it('drops the least recently used key at maxKeys; that key starts afresh', () => {
    const { limiter } = setup({ maxCalls: 1, maxKeys: 2 });
    limiter.tryAcquire({ key: 'a' });
    limiter.tryAcquire({ key: 'b' });
    limiter.tryAcquire({ key: 'a', cost: 0 }); // a is now the most recently used
    limiter.tryAcquire({ key: 'c' });
    expect(limiter.stats()).toMatchObject({ keys: 2, evicted: 1 });
    expect(limiter.tryAcquire({ key: 'a' }).allowed).toBe(false);
    expect(limiter.tryAcquire({ key: 'b' }).allowed).toBe(true); // evicted: a fresh budget
  });

  it('never evicts a key with waiters', async () => {
    const { clock, limiter, track } = setup({ maxCalls: 1, maxKeys: 2 });
    limiter.tryAcquire({ key: 'a' });
    const waiter = track(limiter.acquire({ key: 'a' }));
    limiter.tryAcquire({ key: 'b' });
    limiter.tryAcquire({ key: 'c' });
    expect(limiter.stats()).toMatchObject({ keys: 2, evicted: 1 });
    expect(limiter.tryAcquire({ key: 'b' }).allowed).toBe(true);
    // a kept its budget: its waiter still goes at 100, not before.
    await clock.advance(99);
    expect(waiter.at).toBeUndefined();
    await clock.advance(1);
    expect(waiter.at).toBe(100);
  });

  it('goes past maxKeys rather than evict keys that all have waiters', () => {
    const { limiter } = setup({ maxCalls: 1, maxKeys: 1 });
    for (const key of ['a', 'b']) {
      limiter.tryAcquire({ key });
      void limiter.acquire({ key });
    }
    expect(limiter.stats()).toMatchObject({ keys: 2, evicted: 0, waiting: 2 });
  });

  it('drops idle keys lazily once they are back to full capacity', async () => {
    const { clock, limiter } = setup();
    for (let index = 0; index < 50; index++) limiter.tryAcquire({ key: `idle-${index}` });
    expect(limiter.stats().keys).toBe(50);
    await clock.advance(100);
    // Each new key looks at the two least recently used ones and drops those that are fresh.
    for (let index = 0; index < 25; index++) limiter.tryAcquire({ key: `new-${index}` });
    expect(limiter.stats()).toMatchObject({ keys: 25, evicted: 0 });
    // A fresh key that is looked at is dropped too.
    await clock.advance(100);
    limiter.tryAcquire({ key: 'new-0', cost: 0 });
    expect(limiter.stats().keys).toBe(24);
  });
});

describe('RateLimiter.tryAcquire', () => {
  it('peeks with cost 0 without taking or creating anything', () => {
    const { limiter } = setup();
    expect(limiter.tryAcquire({ key: 'k', cost: 0 })).toEqual({ allowed: true, limit: 2, remaining: 2, retryAfter: 0, resetAfter: 0 });
    expect(limiter.stats().keys).toBe(0);
  });

  it('reports the burst as the limit of a token bucket', () => {
    const { limiter } = setup({ algorithm: 'token-bucket', burst: 5 });
    expect(limiter.tryAcquire({ cost: 5 })).toEqual({ allowed: true, limit: 5, remaining: 0, retryAfter: 0, resetAfter: 250 });
    expect(limiter.tryAcquire()).toEqual({ allowed: false, limit: 5, remaining: 0, retryAfter: 50, resetAfter: 250 });
  });

  it('handles maxCalls 1e9 and a cost of 1e9 exactly', async () => {
    for (const algorithm of ['sliding-window', 'token-bucket', 'fixed-window'] as const) {
      const { clock, limiter } = setup({ algorithm, maxCalls: 1e9, timeWindow: 60_000 });
      expect(limiter.tryAcquire({ cost: 1e9 - 1 })).toMatchObject({ allowed: true, remaining: 1 });
      expect(limiter.tryAcquire({ cost: 2 })).toMatchObject({ allowed: false });
      await clock.advance(60_000);
      expect(limiter.tryAcquire({ cost: 1e9 })).toMatchObject({ allowed: true, remaining: 0 });
    }
  });
});

describe('RateLimiter.reset', () => {
  it('forgets one key, or all of them and its own budget', () => {
    const { limiter } = setup({ maxCalls: 1 });
    for (const key of ['a', 'b', undefined]) limiter.tryAcquire({ key });
    limiter.reset('a');
    limiter.reset('never-seen');
    expect([limiter.tryAcquire({ key: 'a', cost: 0 }).remaining, limiter.tryAcquire({ key: 'b', cost: 0 }).remaining]).toEqual([1, 0]);
    limiter.reset();
    expect(limiter.stats().keys).toBe(0);
    expect(limiter.tryAcquire().allowed).toBe(true);
  });

  it('lets the waiters of a reset key go at once', async () => {
    const { clock, limiter, track } = setup({ maxCalls: 1 });
    limiter.tryAcquire();
    const waiter = track(limiter.acquire());
    await clock.advance(30);
    limiter.reset();
    await clock.advance(0);
    expect(waiter.at).toBe(30);
    expect(clock.pendingSleeps).toBe(0);
  });
});

describe('RateLimiter events and stats', () => {
  it('emits acquire, wait and reject with typed payloads', async () => {
    const { clock, limiter } = setup({ maxQueue: 1 });
    const seen: [keyof RateLimiterEvents, unknown][] = [];
    for (const event of ['acquire', 'wait', 'reject'] as const) limiter.on(event, (payload) => seen.push([event, payload]));
    await limiter.acquire({ key: 'k', cost: 2 });
    void limiter.acquire({ key: 'k' });
    await limiter.acquire({ key: 'k' }).catch(() => undefined);
    limiter.tryAcquire({ key: 'k' });
    limiter.tryAcquire({ key: 'k', cost: 0 });
    await clock.advance(100);
    expect(seen).toEqual([
      ['acquire', { key: 'k', cost: 2, waited: 0 }],
      ['wait', { key: 'k', cost: 1, delay: 100 }],
      ['reject', { key: 'k', cost: 1, retryAfter: 100, reason: 'maxQueue' }],
      ['reject', { key: 'k', cost: 1, retryAfter: 100, reason: 'limit' }],
      ['acquire', { key: 'k', cost: 1, waited: 100 }],
    ]);
    expect(limiter.stats()).toEqual({ keys: 1, waiting: 0, admitted: 2, rejected: 2, evicted: 0 });
  });

  it('reports a listener that throws and still grants the call', async () => {
    const { limiter } = setup();
    const report = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const off = limiter.on('acquire', () => {
      throw new Error('listener bug');
    });
    await expect(limiter.execute(() => 'ok')).resolves.toBe('ok');
    expect(report).toHaveBeenCalledTimes(1);
    off();
    await limiter.execute(() => 'ok');
    expect(report).toHaveBeenCalledTimes(1);
  });

  it('counts waiting callers over all keys', async () => {
    const { clock, limiter } = setup({ maxCalls: 1 });
    limiter.tryAcquire({ key: 'a' });
    limiter.tryAcquire({ key: 'b' });
    void limiter.acquire({ key: 'a' });
    void limiter.acquire({ key: 'b' });
    void limiter.acquire({ key: 'b' });
    expect(limiter.stats().waiting).toBe(3);
    await clock.advance(100);
    expect(limiter.stats().waiting).toBe(1);
  });
});

describe('RateLimiter time', () => {
  it('keeps the sliding window exact with a clock that has fractions of a millisecond', async () => {
    const clock = new ManualClock(0.5);
    const limiter = new RateLimiter({ maxCalls: 1, timeWindow: 10, clock });
    expect(limiter.tryAcquire().allowed).toBe(true);
    const next = limiter.acquire();
    let at: number | undefined;
    void next.then(() => (at = clock.now()));
    await clock.advance(9.7); // 10.2: [0.5, 10.5) still holds the first permit
    expect(limiter.tryAcquire({ cost: 0 }).remaining).toBe(0);
    await clock.advance(1);
    // At most 1 ms later than the exact 10.5: the permit was kept per millisecond, rounded up.
    expect(at).toBe(11);
  });
});

describe('RateLimiter with late wake-ups (a busy event loop)', () => {
  /** `count` calls at 0 on a limiter whose clock wakes sleepers due at `stalled` only at `woken`. */
  async function startTimes(options: Partial<RateLimiterOptions>, count: number, stalled: number, woken: number) {
    const clock = new LateClock((due) => (due === stalled ? woken : due));
    const limiter = new RateLimiter({ maxCalls: 2, timeWindow: 100, clock, ...options });
    const started: number[] = [];
    const calls = Array.from({ length: count }, () => limiter.execute(() => started.push(clock.now())));
    await clock.advance(1_000);
    await Promise.all(calls);
    return { started, timers: clock.timers, pending: clock.pendingSleeps };
  }

  it('sliding window: counts a late start from when it really starts, and holds the callers behind it back', async () => {
    const { started, timers, pending } = await startTimes({}, 6, 100, 150);
    // Slots 0, 0, 100, 100, 200, 200; the two of 100 start at 150, so the next two not before 250.
    expect(started).toEqual([0, 0, 150, 150, 250, 250]);
    // A timer per waiter, and one more for the first of 200, which found it had to wait again
    // (the second of 200 then goes right after it).
    expect(timers).toBe(5);
    expect(pending).toBe(0);
  });

  it('token bucket: a late start delays nobody when the bucket has room for it', async () => {
    // 2 tokens per 100 ms: slots 0, 0, 50, 100.
    const { started, timers } = await startTimes({ algorithm: 'token-bucket' }, 4, 50, 90);
    expect(started).toEqual([0, 0, 90, 100]);
    expect(timers).toBe(2);
  });

  it('fixed window: a late start opens its window when it really starts', async () => {
    // Slots 0, 0, 100, 100, 200: the window of 100 opens at 150 instead, so the fifth waits for 250.
    const { started } = await startTimes({ algorithm: 'fixed-window' }, 5, 100, 150);
    expect(started).toEqual([0, 0, 150, 150, 250]);
  });

  it('keeps a waiter whose slot has passed but who has not woken yet ahead of every later caller', async () => {
    const clock = new LateClock((due) => (due === 100 ? 130 : due));
    const limiter = new RateLimiter({ maxCalls: 1, timeWindow: 100, clock });
    const started: [string, number][] = [];
    const run = (name: string) => limiter.execute(() => started.push([name, clock.now()]));
    const calls = [run('first'), run('late')];
    await clock.advance(120);
    expect(limiter.tryAcquire()).toMatchObject({ allowed: false, remaining: 0 });
    calls.push(run('next'));
    await clock.advance(1_000);
    await Promise.all(calls);
    expect(started).toEqual([['first', 0], ['late', 130], ['next', 230]]);
  });

  it('lets a waiter that woke behind one still waiting go when that one leaves', async () => {
    // The second waiter (slot 100) is woken only at 250; the third (slot 200) wakes behind it.
    const clock = new LateClock((due) => (due === 100 ? 250 : due));
    const limiter = new RateLimiter({ maxCalls: 1, timeWindow: 100, clock });
    const controller = new AbortController();
    const started: number[] = [];
    void limiter.execute(() => started.push(clock.now()));
    const leaving = limiter.acquire({ signal: controller.signal });
    const third = limiter.execute(() => started.push(clock.now()));
    await clock.advance(220);
    controller.abort();
    await expect(leaving).rejects.toBe(controller.signal.reason);
    await clock.advance(0);
    expect(started).toEqual([0, 220]);
    await third;
    expect(clock.pendingSleeps).toBe(0);
  });
});
