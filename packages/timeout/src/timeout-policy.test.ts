import { getEventListeners } from 'node:events';
import { ManualClock, TimeoutError, pipeline, systemClock, type ExecutionContext } from '@cemaf/core';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TimeoutPolicy, type SettledAfterTimeoutEvent, type TimeoutEvent } from './timeout-policy.js';

type Outcome<T> = { status: 'pending' } | { status: 'fulfilled'; value: T } | { status: 'rejected'; reason: unknown };

/** Records how a promise settles, so a test can look at it between clock steps. */
function observe<T>(promise: Promise<T>): { readonly outcome: Outcome<T> } {
  const seen: { outcome: Outcome<T> } = { outcome: { status: 'pending' } };
  promise.then(
    (value) => (seen.outcome = { status: 'fulfilled', value }),
    (reason: unknown) => (seen.outcome = { status: 'rejected', reason }),
  );
  return seen;
}

/** A function that never settles and never looks at its signal. */
const hang = (): Promise<never> => new Promise<never>(() => {});

/** Lets every pending promise callback and queued macrotask run. */
const flush = () => new ManualClock().advance(0);

function thrown(make: () => unknown): Error {
  try {
    make();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('TimeoutPolicy options', () => {
  it.each([
    ['timeout is missing', {}, TypeError, 'TimeoutPolicy: timeout must be a finite number > 0, got undefined'],
    ['timeout is 0', { timeout: 0 }, RangeError, 'TimeoutPolicy: timeout must be a finite number > 0, got 0'],
    ['timeout is negative', { timeout: -100 }, RangeError, 'TimeoutPolicy: timeout must be a finite number > 0, got -100'],
    ['timeout is NaN', { timeout: Number.NaN }, RangeError, 'TimeoutPolicy: timeout must be a finite number > 0, got NaN'],
    ['timeout is Infinity', { timeout: Infinity }, RangeError, 'TimeoutPolicy: timeout must be a finite number > 0, got Infinity'],
    ['timeout is not a number', { timeout: '5000' }, TypeError, 'TimeoutPolicy: timeout must be a finite number > 0, got "5000"'],
    [
      'clock is not a Clock',
      { timeout: 10, clock: { now: () => 0 } },
      TypeError,
      'TimeoutPolicy: clock must be a Clock (an object with now() and sleep()), got an object',
    ],
    ['an option is unknown', { timeout: 10, timout: 10 }, TypeError, 'TimeoutPolicy: unknown option "timout"; the options are timeout, clock'],
    ['options is not an object', 5000, TypeError, 'TimeoutPolicy: options must be an object, got 5000'],
  ])('refuses options where %s', (_rule, options, ErrorType, message) => {
    const error = thrown(() => new TimeoutPolicy(options as never));
    expect(error).toBeInstanceOf(ErrorType);
    expect(error.message).toBe(message);
  });

  it('takes any finite timeout > 0, fractions included, and exposes it', () => {
    expect(new TimeoutPolicy({ timeout: 0.5 }).timeout).toBe(0.5);
    expect(new TimeoutPolicy({ timeout: 5_000, clock: new ManualClock() }).timeout).toBe(5_000);
  });
});

describe('TimeoutPolicy.execute', () => {
  it("settles as fn does before the deadline, clears the deadline and leaves fn's signal alone", async () => {
    const clock = new ManualClock();
    const policy = new TimeoutPolicy({ timeout: 1_000, clock });
    let signal: AbortSignal | undefined;
    const call = observe(
      policy.execute(async (ctx) => {
        signal = ctx.signal;
        await clock.sleep(999);
        return 'done';
      }),
    );
    expect(clock.pendingSleeps).toBe(2);
    await clock.advance(999);
    expect(call.outcome).toEqual({ status: 'fulfilled', value: 'done' });
    expect(clock.pendingSleeps).toBe(0);
    await clock.advance(5_000);
    // A response body may still be streaming under that signal: success never aborts it.
    expect(signal?.aborted).toBe(false);
  });

  it('rejects with a TimeoutError at the deadline even if fn ignores its signal', async () => {
    const clock = new ManualClock();
    const policy = new TimeoutPolicy({ timeout: 1_000, clock });
    let ctx: ExecutionContext | undefined;
    const call = observe(
      policy.execute((given) => {
        ctx = given;
        return hang();
      }),
    );
    await clock.advance(999);
    expect(call.outcome.status).toBe('pending');
    await clock.advance(1);
    expect(call.outcome.status).toBe('rejected');
    const error = (call.outcome as { reason: TimeoutError }).reason;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ name: 'TimeoutError', code: 'TIMEOUT', timeout: 1_000 });
    expect(ctx?.signal.aborted).toBe(true);
    expect(ctx?.signal.reason).toBe(error);
    expect(clock.pendingSleeps).toBe(0);
  });

  it('rejects with the TimeoutError, not what fn makes of the abort, when fn honours its signal', async () => {
    const clock = new ManualClock();
    const policy = new TimeoutPolicy({ timeout: 50, clock });
    const result = policy.execute(async ({ signal }) => {
      await clock.sleep(1_000, signal);
      return 'late';
    });
    const rejected = expect(result).rejects.toBeInstanceOf(TimeoutError);
    await clock.advance(50);
    await rejected;
    expect(clock.pendingSleeps).toBe(0);
  });

  it('lets a call that is still running at the deadline time out, and one that ends just before it succeed', async () => {
    const clock = new ManualClock();
    const policy = new TimeoutPolicy({ timeout: 100, clock });
    const exactly = observe(policy.execute(() => clock.sleep(100).then(() => 'exactly')));
    const before = observe(policy.execute(() => clock.sleep(99.5).then(() => 'before')));
    await clock.advance(100);
    expect(exactly.outcome.status).toBe('rejected');
    expect(before.outcome).toEqual({ status: 'fulfilled', value: 'before' });
  });

  it("passes fn's failures through unchanged, synchronous throws and non-Error throwables included", async () => {
    const clock = new ManualClock();
    const policy = new TimeoutPolicy({ timeout: 100, clock });
    const failure = new Error('boom');
    await expect(policy.execute(() => Promise.reject(failure))).rejects.toBe(failure);
    await expect(
      policy.execute(() => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    await expect(policy.execute(() => Promise.reject('just a string'))).rejects.toBe('just a string');
    await expect(
      policy.execute(() => {
        throw undefined;
      }),
    ).rejects.toBeUndefined();
    expect(clock.pendingSleeps).toBe(0);
  });

  it('returns plain values and thenables as fn gives them', async () => {
    const policy = new TimeoutPolicy({ timeout: 100, clock: new ManualClock() });
    await expect(policy.execute(() => 42)).resolves.toBe(42);
    const thenable: PromiseLike<string> = { then: (resolve) => Promise.resolve('thenable').then(resolve) };
    await expect(policy.execute(() => thenable)).resolves.toBe('thenable');
  });

  it("rejects at once with the caller's reason when the caller aborts, and aborts fn's signal with it", async () => {
    const clock = new ManualClock();
    const policy = new TimeoutPolicy({ timeout: 1_000, clock });
    const caller = new AbortController();
    let signal: AbortSignal | undefined;
    const call = observe(
      policy.execute(
        (ctx) => {
          signal = ctx.signal;
          return hang();
        },
        { signal: caller.signal },
      ),
    );
    await clock.advance(10);
    const reason = new Error('user navigated away');
    caller.abort(reason);
    await flush();
    expect(call.outcome).toEqual({ status: 'rejected', reason });
    expect(call.outcome).not.toBeInstanceOf(TimeoutError);
    expect(signal?.reason).toBe(reason);
    expect(clock.pendingSleeps).toBe(0);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });

  it("never calls fn when the caller's signal is already aborted", async () => {
    const clock = new ManualClock();
    const policy = new TimeoutPolicy({ timeout: 1_000, clock });
    const fn = vi.fn(() => 'ran');
    const reason = new Error('cancelled before it started');
    await expect(policy.execute(fn, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(fn).not.toHaveBeenCalled();
    expect(clock.pendingSleeps).toBe(0);
  });

  it("adds one listener to a caller's signal that many calls share, however they end", async () => {
    const clock = new ManualClock();
    const policy = new TimeoutPolicy({ timeout: 100, clock });
    const caller = new AbortController();
    const { signal } = caller;
    await policy.execute(() => 'ok', { signal });
    await expect(policy.execute(() => Promise.reject(new Error('no')), { signal })).rejects.toThrow('no');
    const timedOut = expect(policy.execute(hang, { signal })).rejects.toBeInstanceOf(TimeoutError);
    // Node warns of a leak from a signal's 11th listener: 20 calls at once on one signal make none.
    const running = Array.from({ length: 20 }, () => policy.execute(hang, { signal }).catch(() => 'timed out'));
    expect(getEventListeners(signal, 'abort')).toHaveLength(1);
    await clock.advance(100);
    await timedOut;
    expect(await Promise.all(running)).toEqual(Array(20).fill('timed out'));
    expect(getEventListeners(signal, 'abort')).toHaveLength(1);
  });

  it("does not abort fn's signal when the caller aborts after the call settled", async () => {
    const policy = new TimeoutPolicy({ timeout: 100, clock: new ManualClock() });
    const caller = new AbortController();
    let signal: AbortSignal | undefined;
    await policy.execute((ctx) => (signal = ctx.signal), { signal: caller.signal });
    caller.abort();
    expect(signal?.aborted).toBe(false);
  });

  it('hands fn the attempt number it was given', async () => {
    const policy = new TimeoutPolicy({ timeout: 100, clock: new ManualClock() });
    await expect(policy.execute(({ attempt }) => attempt)).resolves.toBe(1);
    await expect(policy.execute(({ attempt }) => attempt, { attempt: 3 })).resolves.toBe(3);
  });

  it('never throws synchronously, even when fn is not a function', async () => {
    const clock = new ManualClock();
    const policy = new TimeoutPolicy({ timeout: 100, clock });
    let result: Promise<unknown> | undefined;
    expect(() => (result = policy.execute(undefined as never))).not.toThrow();
    await expect(result).rejects.toThrow(new TypeError('TimeoutPolicy.execute: fn must be a function, got undefined'));
    await expect(result).rejects.toBeInstanceOf(TypeError);
    expect(clock.pendingSleeps).toBe(0);
  });

  it('keeps deadlines on a clock of its own making, and clears them when calls settle', async () => {
    // Not a ManualClock: only now() and sleep(), as a user's own clock would have.
    const manual = new ManualClock();
    const clock = { now: () => manual.now(), sleep: (ms: number, signal?: AbortSignal) => manual.sleep(ms, signal) };
    const policy = new TimeoutPolicy({ timeout: 100, clock });
    await expect(policy.execute(() => 'in time')).resolves.toBe('in time');
    await flush();
    expect(manual.pendingSleeps).toBe(0);
    const late = observe(policy.execute(hang));
    await manual.advance(99);
    expect(late.outcome.status).toBe('pending');
    await manual.advance(1);
    expect((late.outcome as { reason?: unknown }).reason).toBeInstanceOf(TimeoutError);
    expect(manual.pendingSleeps).toBe(0);
  });

  it("times out at once when the clock's sleep fails, rather than run without a deadline", async () => {
    const clock = { now: () => 0, sleep: () => Promise.reject(new Error('clock broke')) };
    const policy = new TimeoutPolicy({ timeout: 100, clock });
    let signal: AbortSignal | undefined;
    const error = await policy
      .execute((ctx) => {
        signal = ctx.signal;
        return hang();
      })
      .catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(signal?.reason).toBe(error);
  });

  it('gives every call its own deadline', async () => {
    const clock = new ManualClock();
    const policy = new TimeoutPolicy({ timeout: 100, clock });
    const first = observe(policy.execute(hang));
    await clock.advance(60);
    const second = observe(policy.execute(hang));
    await clock.advance(40);
    expect(first.outcome.status).toBe('rejected');
    expect(second.outcome.status).toBe('pending');
    await clock.advance(60);
    expect(second.outcome.status).toBe('rejected');
    expect(clock.pendingSleeps).toBe(0);
  });

  it('times out at exactly the deadline, or settles as fn does, whatever the timings (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 20_000 }),
        fc.boolean(),
        fc.boolean(),
        async (timeout, duration, fails, honoursSignal) => {
          const clock = new ManualClock();
          const policy = new TimeoutPolicy({ timeout, clock });
          const failure = new Error('fn failed');
          let settledAt: number | undefined;
          const result = policy.execute(async ({ signal }) => {
            await clock.sleep(duration, honoursSignal ? signal : undefined);
            if (fails) throw failure;
            return duration;
          });
          result.then(
            () => (settledAt = clock.now()),
            () => (settledAt = clock.now()),
          );
          await clock.advance(Math.max(timeout, duration));
          if (duration < timeout) {
            expect(settledAt).toBe(duration);
            if (fails) await expect(result).rejects.toBe(failure);
            else await expect(result).resolves.toBe(duration);
          } else {
            expect(settledAt).toBe(timeout);
            await expect(result).rejects.toMatchObject({ code: 'TIMEOUT', timeout });
          }
          expect(clock.pendingSleeps).toBe(0);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('TimeoutPolicy with systemClock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('leaves no timer behind, however the call ends', async () => {
    vi.useFakeTimers();
    const policy = new TimeoutPolicy({ timeout: 60_000 });

    await expect(policy.execute(() => 'fast')).resolves.toBe('fast');
    expect(vi.getTimerCount()).toBe(0);

    await expect(policy.execute(() => Promise.reject(new Error('failed fast')))).rejects.toThrow('failed fast');
    expect(vi.getTimerCount()).toBe(0);

    const caller = new AbortController();
    const aborted = expect(policy.execute(hang, { signal: caller.signal })).rejects.toBe('stop');
    expect(vi.getTimerCount()).toBe(1);
    caller.abort('stop');
    await aborted;
    expect(vi.getTimerCount()).toBe(0);

    const timedOut = expect(policy.execute(hang)).rejects.toBeInstanceOf(TimeoutError);
    await vi.advanceTimersByTimeAsync(60_000);
    await timedOut;
    expect(vi.getTimerCount()).toBe(0);
  });

  it('times out at the deadline on the real clock', async () => {
    vi.useFakeTimers();
    const policy = new TimeoutPolicy({ timeout: 250, clock: systemClock });
    const call = observe(policy.execute(hang));
    await vi.advanceTimersByTimeAsync(249);
    expect(call.outcome.status).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(call.outcome.status).toBe('rejected');
  });
});

describe('TimeoutPolicy allocations', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('makes no AbortController for a call whose fn never reads its signal, on either clock', async () => {
    vi.useFakeTimers();
    let made = 0;
    vi.stubGlobal(
      'AbortController',
      class extends AbortController {
        constructor() {
          super();
          made++;
        }
      },
    );
    for (const clock of [systemClock, new ManualClock()]) {
      const policy = new TimeoutPolicy({ timeout: 1_000, clock });
      await expect(policy.execute(() => 'fast')).resolves.toBe('fast');
      await expect(policy.execute(async () => 'later')).resolves.toBe('later');
    }
    expect(made).toBe(0);
    await new TimeoutPolicy({ timeout: 1_000 }).execute(({ signal }) => signal.aborted);
    expect(made).toBe(1);
  });
});

describe('TimeoutPolicy events', () => {
  it('emits timeout with the deadline and the attempt', async () => {
    const clock = new ManualClock();
    const policy = new TimeoutPolicy({ timeout: 30, clock });
    const seen: TimeoutEvent[] = [];
    policy.on('timeout', (event) => seen.push(event));
    const call = observe(policy.execute(hang, { attempt: 2 }));
    await policy.execute(() => 'in time');
    await clock.advance(30);
    expect(call.outcome.status).toBe('rejected');
    expect(seen).toEqual([{ timeout: 30, attempt: 2 }]);
  });

  it('emits settledAfterTimeout when a timed-out fn ends at last, and its late failure is never unhandled', async () => {
    const clock = new ManualClock();
    const policy = new TimeoutPolicy({ timeout: 100, clock });
    const late: SettledAfterTimeoutEvent[] = [];
    policy.on('settledAfterTimeout', (event) => late.push(event));
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const failure = new Error('gave up long after the deadline');
      const failing = observe(policy.execute(() => clock.sleep(250).then(() => Promise.reject(failure))));
      const succeeding = observe(policy.execute(() => clock.sleep(400).then(() => 'too late'), { attempt: 2 }));
      await clock.advance(400);
      await flush();
      expect(failing.outcome.status).toBe('rejected');
      expect(succeeding.outcome.status).toBe('rejected');
      expect(late).toEqual([
        { timeout: 100, attempt: 1, elapsed: 250, status: 'rejected', reason: failure },
        { timeout: 100, attempt: 2, elapsed: 400, status: 'fulfilled', value: 'too late' },
      ]);
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('does not emit settledAfterTimeout for a call the caller aborted', async () => {
    const clock = new ManualClock();
    const policy = new TimeoutPolicy({ timeout: 100, clock });
    const late = vi.fn();
    policy.on('settledAfterTimeout', late);
    const caller = new AbortController();
    const call = observe(policy.execute(() => clock.sleep(200), { signal: caller.signal }));
    caller.abort();
    await clock.advance(200);
    expect(call.outcome.status).toBe('rejected');
    expect(late).not.toHaveBeenCalled();
  });

  it('keeps the outcome when a listener throws, and stops calling a removed listener', async () => {
    const clock = new ManualClock();
    const policy = new TimeoutPolicy({ timeout: 10, clock });
    const report = vi.spyOn(console, 'error').mockImplementation(() => {});
    const listener = vi.fn(() => {
      throw new Error('listener bug');
    });
    const off = policy.on('timeout', listener);
    const first = expect(policy.execute(hang)).rejects.toBeInstanceOf(TimeoutError);
    await clock.advance(10);
    await first;
    expect(report).toHaveBeenCalledTimes(1);
    off();
    const second = expect(policy.execute(hang)).rejects.toBeInstanceOf(TimeoutError);
    await clock.advance(10);
    await second;
    expect(listener).toHaveBeenCalledTimes(1);
  });
});

describe('TimeoutPolicy.wrap', () => {
  it("keeps fn's arguments and this, and rejects at the deadline", async () => {
    const clock = new ManualClock();
    const policy = new TimeoutPolicy({ timeout: 100, clock });
    const service = {
      base: 10,
      add(this: { base: number }, value: number, delay: number) {
        return clock.sleep(delay).then(() => this.base + value);
      },
    };
    const add = policy.wrap(service.add);
    const inTime = observe(add.call(service, 5, 50));
    const late = observe(add.call(service, 5, 150));
    await clock.advance(150);
    expect(inTime.outcome).toEqual({ status: 'fulfilled', value: 15 });
    expect(late.outcome.status).toBe('rejected');
  });
});

describe('TimeoutPolicy in a pipeline', () => {
  it('lets the nearer of two deadlines win and clears both timers', async () => {
    const clock = new ManualClock();
    const short = new TimeoutPolicy({ timeout: 50, clock });
    const long = new TimeoutPolicy({ timeout: 100, clock });

    const innerShorter = expect(pipeline(long, short).execute(hang)).rejects.toMatchObject({ timeout: 50 });
    await clock.advance(50);
    await innerShorter;
    expect(clock.pendingSleeps).toBe(0);

    // The outer deadline aborts the inner policy's caller signal: the inner one rejects with
    // the outer TimeoutError, which is what reaches the caller.
    let signal: AbortSignal | undefined;
    const outerShorter = expect(
      pipeline(short, long).execute((ctx) => {
        signal = ctx.signal;
        return hang();
      }),
    ).rejects.toMatchObject({ timeout: 50 });
    await clock.advance(50);
    await outerShorter;
    expect(signal?.reason).toMatchObject({ timeout: 50 });
    expect(clock.pendingSleeps).toBe(0);
  });
});
