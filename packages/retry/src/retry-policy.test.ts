import {
  CircuitOpenError,
  ManualClock,
  pipeline,
  RateLimitExceededError,
  systemClock,
  type ExecuteOptions,
  type ExecutionContext,
  type Policy,
} from '@cemaf/core';
import { CallContext, runTask } from '@cemaf/core/internal';
import { describe, expect, it, vi } from 'vitest';
import { RetryBudget } from './retry-budget.js';
import { RetryPolicy, type GiveUpEvent, type RetryEvent, type RetryOptions } from './retry-policy.js';

/** A function that fails `failures` times (recording when it was called), then returns 'ok'. */
function flaky(clock: ManualClock, failures: number, makeError = (n: number) => new Error(`failure ${n}`)) {
  const calls: { at: number; attempt: number }[] = [];
  const errors: unknown[] = [];
  const fn = vi.fn(async ({ attempt }: ExecutionContext) => {
    calls.push({ at: clock.now(), attempt });
    if (calls.length <= failures) {
      const error = makeError(calls.length);
      errors.push(error);
      throw error;
    }
    return 'ok';
  });
  return { fn, calls, errors, times: () => calls.map((call) => call.at) };
}

/** The delays between calls. */
function gaps(times: number[]): number[] {
  return times.slice(1).map((time, index) => time - times[index]!);
}

function recordEvents(policy: RetryPolicy) {
  const retries: RetryEvent[] = [];
  const giveUps: GiveUpEvent[] = [];
  const successes: number[] = [];
  policy.on('retry', (event) => retries.push(event));
  policy.on('giveUp', (event) => giveUps.push(event));
  policy.on('success', ({ attempt }) => successes.push(attempt));
  return { retries, giveUps, successes };
}

describe('RetryPolicy: attempts and outcome', () => {
  it('by default makes 3 attempts, 1 s then 2 s apart, and rethrows the last error unchanged', async () => {
    const clock = new ManualClock();
    const { fn, errors, times } = flaky(clock, 5);
    const result = new RetryPolicy({ clock }).execute(fn);
    const outcome = result.catch((error: unknown) => error);
    await clock.advance(10_000);
    expect(await outcome).toBe(errors[2]);
    expect(times()).toEqual([0, 1_000, 3_000]);
    expect(clock.pendingSleeps).toBe(0);
  });

  it('returns the first success and numbers the attempts 1, 2, 3 in ctx.attempt', async () => {
    const clock = new ManualClock();
    const { fn, calls } = flaky(clock, 2);
    const result = new RetryPolicy({ clock, maxAttempts: 5 }).execute(fn);
    await clock.advance(3_000);
    await expect(result).resolves.toBe('ok');
    expect(calls.map((call) => call.attempt)).toEqual([1, 2, 3]);
  });

  it('runs once with maxAttempts 1', async () => {
    const clock = new ManualClock();
    const { fn, errors } = flaky(clock, 1);
    await expect(new RetryPolicy({ clock, maxAttempts: 1 }).execute(fn)).rejects.toBe(errors[0]);
    expect(fn).toHaveBeenCalledOnce();
  });

  it('keeps going with maxAttempts Infinity until something else stops it', async () => {
    const clock = new ManualClock();
    const { fn } = flaky(clock, 50);
    const result = new RetryPolicy({ clock, maxAttempts: Infinity, backoff: 'constant', initialDelay: 10 }).execute(fn);
    await clock.advance(500);
    await expect(result).resolves.toBe('ok');
    expect(fn).toHaveBeenCalledTimes(51);
  });

  it('retries synchronous throws like rejections', async () => {
    const clock = new ManualClock();
    let calls = 0;
    const result = new RetryPolicy({ clock, initialDelay: 1 }).execute(() => {
      if (++calls < 3) throw new Error('sync');
      return 'done';
    });
    await clock.advance(10);
    await expect(result).resolves.toBe('done');
  });

  it.each([['a string', 'boom'], ['undefined', undefined], ['null', null], ['a number', 42], ['an object', { code: 1 }]])(
    'rethrows %s unchanged when every attempt throws it',
    async (_, thrown) => {
      const clock = new ManualClock();
      const fn = vi.fn(() => {
        throw thrown;
      });
      const outcome = new RetryPolicy({ clock, initialDelay: 1 }).execute(fn).then(
        () => 'resolved',
        (error: unknown) => ({ error }),
      );
      await clock.advance(10);
      expect(await outcome).toEqual({ error: thrown });
      expect(fn).toHaveBeenCalledTimes(3);
    },
  );

  it('returns plain values and promises alike', async () => {
    const policy = new RetryPolicy({ clock: new ManualClock() });
    await expect(policy.execute(() => 7)).resolves.toBe(7);
    await expect(policy.execute(async () => 8)).resolves.toBe(8);
    const thenable = { then: (resolve: (value: number) => void) => resolve(9) } as unknown as PromiseLike<number>;
    await expect(policy.execute(() => thenable)).resolves.toBe(9);
  });

  it('rejects, never throws, when fn is not a function', async () => {
    const policy = new RetryPolicy();
    let result: Promise<unknown> | undefined;
    expect(() => {
      result = policy.execute(42 as never);
    }).not.toThrow();
    await expect(result).rejects.toThrow(new TypeError('RetryPolicy: fn must be a function, got 42'));
  });
});

describe.each([
  ['without listeners', (_policy: RetryPolicy) => undefined],
  ['with a success listener', (policy: RetryPolicy) => void policy.on('success', () => undefined)],
])('RetryPolicy: the first attempt %s', (_, listen) => {
  it('retries a rejection, a synchronous throw and a rejecting thenable alike', async () => {
    const clock = new ManualClock();
    const policy = new RetryPolicy({ clock, initialDelay: 10 });
    listen(policy);
    const failures: (() => unknown)[] = [
      () => Promise.reject(new Error('rejected')),
      () => {
        throw new Error('thrown');
      },
      () => ({ then: (_resolve: unknown, reject: (error: unknown) => void) => reject(new Error('thenable')) }),
    ];
    for (const failure of failures) {
      let calls = 0;
      const result = policy.execute(() => (++calls === 1 ? (failure() as Promise<string>) : 'ok'));
      await clock.advance(10);
      await expect(result).resolves.toBe('ok');
      expect(calls).toBe(2);
    }
  });

  it('gives up with the first error when one attempt is allowed', async () => {
    const policy = new RetryPolicy({ clock: new ManualClock(), maxAttempts: 1 });
    listen(policy);
    const error = new Error('once');
    await expect(policy.execute(() => Promise.reject(error))).rejects.toBe(error);
    await expect(
      policy.execute(() => {
        throw error;
      }),
    ).rejects.toBe(error);
  });

  it('returns values, sync or async, and never throws synchronously', async () => {
    const policy = new RetryPolicy({ clock: new ManualClock() });
    listen(policy);
    await expect(policy.execute(() => 'sync')).resolves.toBe('sync');
    await expect(policy.execute(async () => 'async')).resolves.toBe('async');
    const broken = new RetryPolicy({
      clock: {
        now: () => {
          throw new Error('clock broke');
        },
        sleep: () => Promise.resolve(),
      },
      maxElapsed: 10,
    });
    listen(broken);
    let result: Promise<unknown> | undefined;
    expect(() => (result = broken.execute(() => 1))).not.toThrow();
    await expect(result).rejects.toThrow('clock broke');
  });
});

describe('RetryPolicy: backoff', () => {
  async function delaysOf(options: RetryOptions, failures = 5): Promise<number[]> {
    const clock = new ManualClock();
    const { fn, times } = flaky(clock, failures);
    const outcome = new RetryPolicy({ clock, maxAttempts: failures + 1, ...options }).execute(fn);
    await clock.advance(1_000_000);
    await outcome;
    return gaps(times());
  }

  it.each<[RetryOptions, number[]]>([
    [{ backoff: 'constant', initialDelay: 100 }, [100, 100, 100, 100, 100]],
    [{ backoff: 'linear', initialDelay: 100 }, [100, 200, 300, 400, 500]],
    [{ backoff: 'exponential', initialDelay: 100 }, [100, 200, 400, 800, 1_600]],
    [{ backoff: 'exponential', initialDelay: 100, multiplier: 3 }, [100, 300, 900, 2_700, 8_100]],
    [{ backoff: 'fibonacci', initialDelay: 100 }, [100, 100, 200, 300, 500]],
    [{ initialDelay: 0 }, [0, 0, 0, 0, 0]],
  ])('waits exactly the delays of %j', async (options, expected) => {
    expect(await delaysOf(options)).toEqual(expected);
  });

  it.each<[RetryOptions, number[]]>([
    [{ backoff: 'constant', initialDelay: 100, maxDelay: 50 }, [50, 50, 50, 50, 50]],
    [{ backoff: 'linear', initialDelay: 100, maxDelay: 250 }, [100, 200, 250, 250, 250]],
    [{ backoff: 'exponential', initialDelay: 100, maxDelay: 300 }, [100, 200, 300, 300, 300]],
    [{ backoff: 'fibonacci', initialDelay: 100, maxDelay: 250 }, [100, 100, 200, 250, 250]],
    [{ backoff: 'exponential', initialDelay: 100, maxDelay: 0 }, [0, 0, 0, 0, 0]],
  ])('caps every delay of %j by maxDelay', async (options, expected) => {
    expect(await delaysOf(options)).toEqual(expected);
  });

  it("'jitter' draws uniformly below the capped exponential delay", async () => {
    const draws = [0, 0.5, 0.999, 0.25, 0.5];
    vi.spyOn(Math, 'random').mockImplementation(() => draws.shift()!);
    const clock = new ManualClock();
    const policy = new RetryPolicy({ clock, backoff: 'jitter', initialDelay: 100, maxDelay: 1_000, maxAttempts: 6 });
    const { retries } = recordEvents(policy);
    const outcome = policy.execute(flaky(clock, 5).fn);
    await clock.advance(10_000);
    await expect(outcome).resolves.toBe('ok');
    // Exponential delays 100, 200, 400, 800, 1000 (capped), times the draws.
    expect(retries.map((event) => event.delay)).toEqual([0, 100, 399.6, 200, 500]);
  });

  it('stays at maxDelay far into an endless retry, with no overflow to NaN or Infinity', async () => {
    const clock = new ManualClock();
    for (const backoff of ['exponential', 'fibonacci', 'jitter'] as const) {
      const delays: number[] = [];
      const policy = new RetryPolicy({ clock, backoff, maxAttempts: 2_000, maxDelay: 5 });
      policy.on('retry', ({ delay }) => delays.push(delay));
      const outcome = policy.execute(() => Promise.reject(new Error('down'))).catch(() => 'gave up');
      await clock.advance(20_000);
      expect(await outcome).toBe('gave up');
      expect(delays).toHaveLength(1_999);
      expect(delays.every((delay) => delay >= 0 && delay <= 5)).toBe(true);
      if (backoff !== 'jitter') expect(delays.at(-1)).toBe(5);
    }
    const zero = await delaysOf({ initialDelay: 0, backoff: 'fibonacci' });
    expect(zero).toEqual([0, 0, 0, 0, 0]);
  });

  it('calls a backoff function with the failed attempt, its error and the previous capped delay', async () => {
    const clock = new ManualClock();
    const { fn, errors } = flaky(clock, 3);
    const backoff = vi.fn(({ attempt }: { attempt: number }) => attempt * 400);
    const result = new RetryPolicy({ clock, backoff, maxAttempts: 4, maxDelay: 1_000 }).execute(fn);
    await clock.advance(10_000);
    await expect(result).resolves.toBe('ok');
    expect(backoff.mock.calls.map(([context]) => context)).toEqual([
      { attempt: 1, error: errors[0], value: undefined, previousDelay: 0 },
      { attempt: 2, error: errors[1], value: undefined, previousDelay: 400 },
      { attempt: 3, error: errors[2], value: undefined, previousDelay: 800 },
    ]);
    expect(clock.now()).toBe(10_000);
  });

  it('does not call the backoff when no retry follows', async () => {
    const backoff = vi.fn(() => 1);
    const policy = new RetryPolicy({ clock: new ManualClock(), backoff, maxAttempts: 1 });
    await expect(policy.execute(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(backoff).not.toHaveBeenCalled();
  });

  it.each([[-1], [Number.NaN], ['5']])('rejects with a RangeError when a backoff function returns %j', async (delay) => {
    const policy = new RetryPolicy({ clock: new ManualClock(), backoff: () => delay as number });
    await expect(policy.execute(() => Promise.reject(new Error('x')))).rejects.toThrow(
      new RangeError(`RetryPolicy: backoff must be a function that returns a number >= 0, got ${typeof delay === 'string' ? '"5"' : String(delay)}`),
    );
  });
});

describe('RetryPolicy: retryIf and retryOnResult', () => {
  it('rethrows at once an error that retryIf refuses, and calls it with the error and attempt', async () => {
    const clock = new ManualClock();
    const { fn, errors } = flaky(clock, 5);
    const retryIf = vi.fn((_error: unknown, attempt: number) => attempt < 2);
    const policy = new RetryPolicy({ clock, retryIf, maxAttempts: 5 });
    const events = recordEvents(policy);
    const outcome = policy.execute(fn).catch((error: unknown) => error);
    await clock.advance(10_000);
    expect(await outcome).toBe(errors[1]);
    expect(retryIf.mock.calls).toEqual([[errors[0], 1], [errors[1], 2]]);
    expect(fn).toHaveBeenCalledTimes(2);
    expect(events.giveUps).toEqual([{ attempt: 2, error: errors[1], value: undefined, reason: 'retryIf' }]);
    expect(clock.pendingSleeps).toBe(0);
  });

  it('treats a falsy retryIf answer as no', async () => {
    const policy = new RetryPolicy({ clock: new ManualClock(), retryIf: () => undefined as unknown as boolean });
    const fn = vi.fn(() => Promise.reject(new Error('x')));
    await expect(policy.execute(fn)).rejects.toThrow('x');
    expect(fn).toHaveBeenCalledOnce();
  });

  it('rejects with the error retryIf throws', async () => {
    const bug = new Error('predicate bug');
    const policy = new RetryPolicy({
      clock: new ManualClock(),
      retryIf: () => {
        throw bug;
      },
    });
    await expect(policy.execute(() => Promise.reject(new Error('x')))).rejects.toBe(bug);
  });

  it('retries a value retryOnResult refuses, and returns it when attempts run out', async () => {
    const clock = new ManualClock();
    const statuses = [503, 503, 200];
    const retryOnResult = vi.fn((response: { status: number }) => response.status === 503);
    const policy = new RetryPolicy({ clock, retryOnResult, initialDelay: 10 });
    const events = recordEvents(policy);
    const ok = policy.execute(() => ({ status: statuses.shift()! }));
    await clock.advance(100);
    await expect(ok).resolves.toEqual({ status: 200 });
    expect(retryOnResult.mock.calls).toEqual([[{ status: 503 }, 1], [{ status: 503 }, 2], [{ status: 200 }, 3]]);
    expect(events.retries).toEqual([
      { attempt: 1, error: undefined, value: { status: 503 }, delay: 10 },
      { attempt: 2, error: undefined, value: { status: 503 }, delay: 20 },
    ]);
    expect(events.successes).toEqual([3]);

    const down = policy.execute(() => ({ status: 503 }));
    await clock.advance(100);
    await expect(down).resolves.toEqual({ status: 503 });
    expect(events.giveUps).toEqual([{ attempt: 3, error: undefined, value: { status: 503 }, reason: 'maxAttempts' }]);
  });

  it('hands a refused value to the backoff function', async () => {
    const clock = new ManualClock();
    const backoff = vi.fn(() => 5);
    const values = ['wait', 'done'];
    const result = new RetryPolicy({ clock, backoff, retryOnResult: (value) => value === 'wait' }).execute(() => values.shift());
    await clock.advance(5);
    await expect(result).resolves.toBe('done');
    expect(backoff).toHaveBeenCalledWith({ attempt: 1, error: undefined, value: 'wait', previousDelay: 0 });
  });

  it('does not ask retryIf about values, nor retryOnResult about errors', async () => {
    const clock = new ManualClock();
    const retryIf = vi.fn(() => true);
    const retryOnResult = vi.fn(() => false);
    const { fn } = flaky(clock, 1);
    const result = new RetryPolicy({ clock, retryIf, retryOnResult }).execute(fn);
    await clock.advance(1_000);
    await expect(result).resolves.toBe('ok');
    expect(retryIf).toHaveBeenCalledOnce();
    expect(retryOnResult).toHaveBeenCalledOnce();
    expect(retryOnResult).toHaveBeenCalledWith('ok', 2);
  });
});

describe('RetryPolicy: maxElapsed and retryAfter', () => {
  it('starts no retry whose wait would end after maxElapsed, counting time spent in fn', async () => {
    const clock = new ManualClock();
    const errors: Error[] = [];
    const policy = new RetryPolicy({ clock, maxAttempts: 10, backoff: 'constant', initialDelay: 100, maxElapsed: 750 });
    const events = recordEvents(policy);
    const outcome = policy
      .execute(async () => {
        await clock.sleep(150); // each attempt takes 150 ms
        const error = new Error(`at ${clock.now()}`);
        errors.push(error);
        throw error;
      })
      .catch((error: unknown) => error);
    await clock.advance(10_000);
    // Attempts end at 150, 400, 650; a retry from 650 would start at 750 (allowed: not after),
    // its attempt end at 900; the next wait would end at 1000 > 750.
    expect(errors.map((error) => error.message)).toEqual(['at 150', 'at 400', 'at 650', 'at 900']);
    expect(await outcome).toBe(errors[3]);
    expect(events.giveUps.map((event) => event.reason)).toEqual(['maxElapsed']);
  });

  it('allows a wait that ends exactly at maxElapsed, and refuses one a millisecond longer', async () => {
    for (const [maxElapsed, attempts] of [[100, 2], [99, 1]] as const) {
      const clock = new ManualClock();
      const fn = vi.fn(() => Promise.reject(new Error('x')));
      const outcome = new RetryPolicy({ clock, maxAttempts: 2, initialDelay: 100, maxElapsed }).execute(fn).catch(() => 'failed');
      await clock.advance(1_000);
      expect(await outcome).toBe('failed');
      expect(fn).toHaveBeenCalledTimes(attempts);
    }
  });

  it('throws at once rather than sleep when maxElapsed is already used up', async () => {
    const clock = new ManualClock();
    const error = new Error('slow');
    const policy = new RetryPolicy({ clock, maxElapsed: 0, initialDelay: 0 });
    await expect(policy.execute(() => Promise.reject(error))).rejects.toBe(error);
    // maxElapsed 0 still allows a retry with no wait and no time spent.
    const fn = vi.fn(() => Promise.reject(error));
    await expect(policy.execute(fn)).rejects.toBe(error);
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it("waits an error's retryAfter when it is longer than the backoff, and the backoff otherwise", async () => {
    const clock = new ManualClock();
    const retryAfters = [2_500, 10, undefined];
    const { fn, times } = flaky(clock, 3, () => Object.assign(new Error('busy'), { retryAfter: retryAfters.shift() }));
    const policy = new RetryPolicy({ clock, maxAttempts: 4, initialDelay: 100 });
    const events = recordEvents(policy);
    const result = policy.execute(fn);
    await clock.advance(10_000);
    await expect(result).resolves.toBe('ok');
    expect(gaps(times())).toEqual([2_500, 200, 400]);
    expect(events.retries.map((event) => event.delay)).toEqual([2_500, 200, 400]);
  });

  it("honours cemaf's CircuitOpenError and RateLimitExceededError", async () => {
    const clock = new ManualClock();
    const errors = [new CircuitOpenError({ retryAfter: 5_000 }), new RateLimitExceededError({ retryAfter: 3_000 })];
    const { fn, times } = flaky(clock, 2, (n) => errors[n - 1]!);
    const result = new RetryPolicy({ clock, initialDelay: 10 }).execute(fn);
    await clock.advance(10_000);
    await expect(result).resolves.toBe('ok');
    expect(gaps(times())).toEqual([5_000, 3_000]);
  });

  it('throws at once when retryAfter alone is beyond maxDelay (an isolated breaker says Infinity)', async () => {
    for (const retryAfter of [30_001, Infinity]) {
      const clock = new ManualClock();
      const error = Object.assign(new Error('later'), { retryAfter });
      const policy = new RetryPolicy({ clock });
      const events = recordEvents(policy);
      await expect(policy.execute(() => Promise.reject(error))).rejects.toBe(error);
      expect(events.giveUps).toEqual([{ attempt: 1, error, value: undefined, reason: 'maxDelay' }]);
      expect(clock.pendingSleeps).toBe(0);
    }
    const isolated = new CircuitOpenError({ retryAfter: Infinity, isolated: true });
    await expect(new RetryPolicy({ clock: new ManualClock() }).execute(() => Promise.reject(isolated))).rejects.toBe(isolated);
  });

  it('waits a retryAfter equal to maxDelay', async () => {
    const clock = new ManualClock();
    const { fn, times } = flaky(clock, 1, () => Object.assign(new Error('busy'), { retryAfter: 500 }));
    const result = new RetryPolicy({ clock, initialDelay: 1, maxDelay: 500 }).execute(fn);
    await clock.advance(500);
    await expect(result).resolves.toBe('ok');
    expect(times()).toEqual([0, 500]);
  });

  it('throws at once when retryAfter would end the wait after maxElapsed', async () => {
    const clock = new ManualClock();
    const error = Object.assign(new Error('busy'), { retryAfter: 2_000 });
    const policy = new RetryPolicy({ clock, maxElapsed: 1_500, initialDelay: 10 });
    const events = recordEvents(policy);
    await expect(policy.execute(() => Promise.reject(error))).rejects.toBe(error);
    expect(events.giveUps.map((event) => event.reason)).toEqual(['maxElapsed']);
  });

  it.each([['a string', '1000'], ['a negative number', -5], ['NaN', Number.NaN], ['null', null]])(
    'ignores a retryAfter that is %s',
    async (_, retryAfter) => {
      const clock = new ManualClock();
      const { fn, times } = flaky(clock, 1, () => Object.assign(new Error('busy'), { retryAfter }));
      const result = new RetryPolicy({ clock, initialDelay: 100 }).execute(fn);
      await clock.advance(100);
      await expect(result).resolves.toBe('ok');
      expect(times()).toEqual([0, 100]);
    },
  );

  it('reads no clock time per call when maxElapsed is not set and the first attempt succeeds', async () => {
    const clock = new ManualClock();
    const now = vi.spyOn(clock, 'now');
    const sleep = vi.spyOn(clock, 'sleep');
    await new RetryPolicy({ clock }).execute(() => 1);
    expect(now).not.toHaveBeenCalled();
    expect(sleep).not.toHaveBeenCalled();
  });
});

describe('RetryPolicy: budget', () => {
  it('gives up at once with the last error when the budget says no, and retries again once it recovers', async () => {
    const clock = new ManualClock();
    const budget = new RetryBudget({ clock, ratio: 0, minRetriesPerSecond: 1, ttl: 2_000 }); // 2 retries per 2 s
    const policy = new RetryPolicy({ clock, budget, maxAttempts: 5, initialDelay: 0 });
    const events = recordEvents(policy);
    const fn = vi.fn(() => Promise.reject(new Error('down')));
    await expect(policy.execute(fn)).rejects.toThrow('down');
    expect(fn).toHaveBeenCalledTimes(3); // 1 call + the 2 retries the budget allows
    expect(events.giveUps.map((event) => event.reason)).toEqual(['budget']);
    fn.mockClear();
    await expect(policy.execute(fn)).rejects.toThrow('down');
    expect(fn).toHaveBeenCalledTimes(1);
    await clock.advance(2_000);
    fn.mockClear();
    await expect(policy.execute(fn)).rejects.toThrow('down');
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('is shared: retries of one policy use up the budget of another', async () => {
    const clock = new ManualClock();
    const budget = new RetryBudget({ clock, ratio: 0.5, minRetriesPerSecond: 0 });
    const a = new RetryPolicy({ clock, budget, initialDelay: 0, maxAttempts: 10 });
    const b = new RetryPolicy({ clock, budget, initialDelay: 0, maxAttempts: 10 });
    for (let i = 0; i < 4; i++) await a.execute(() => 'ok'); // 4 calls: 2 retries allowed, with the next call 2.5
    const fn = vi.fn(() => Promise.reject(new Error('down')));
    await expect(b.execute(fn)).rejects.toThrow('down');
    expect(fn).toHaveBeenCalledTimes(3);
    expect(budget.balance).toBe(0);
  });

  it('does not deposit for a call aborted before it starts', async () => {
    const clock = new ManualClock();
    const budget = { deposit: vi.fn(), tryWithdraw: vi.fn(() => true) };
    const policy = new RetryPolicy({ clock, budget });
    await expect(policy.execute(() => 1, { signal: AbortSignal.abort() })).rejects.toThrow();
    expect(budget.deposit).not.toHaveBeenCalled();
    await policy.execute(() => 1);
    expect(budget.deposit).toHaveBeenCalledOnce();
    expect(budget.tryWithdraw).not.toHaveBeenCalled();
  });

  it('withdraws only for a retry that will happen', async () => {
    const clock = new ManualClock();
    const budget = { deposit: vi.fn(), tryWithdraw: vi.fn(() => true) };
    const policy = new RetryPolicy({ clock, budget, maxAttempts: 2, retryIf: (error) => error !== 'fatal' });
    await expect(policy.execute(() => Promise.reject('fatal'))).rejects.toBe('fatal');
    expect(budget.tryWithdraw).not.toHaveBeenCalled();
    const outcome = policy.execute(() => Promise.reject('again')).catch((error: unknown) => error);
    await clock.advance(1_000);
    expect(await outcome).toBe('again');
    expect(budget.tryWithdraw).toHaveBeenCalledOnce();
  });
});

describe('RetryPolicy: cancellation', () => {
  it('rejects at once with signal.reason when aborted during a backoff, leaving no sleep', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const { fn } = flaky(clock, 5);
    const policy = new RetryPolicy({ clock });
    const events = recordEvents(policy);
    const outcome = policy.execute(fn, { signal: controller.signal }).catch((error: unknown) => error);
    await clock.advance(500);
    expect(clock.pendingSleeps).toBe(1);
    const reason = new Error('user left');
    controller.abort(reason);
    expect(await outcome).toBe(reason);
    expect(clock.pendingSleeps).toBe(0);
    expect(clock.now()).toBe(500);
    await clock.advance(10_000);
    expect(fn).toHaveBeenCalledOnce();
    expect(events.giveUps).toEqual([]);
  });

  it('passes a non-Error abort reason through unchanged', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const outcome = new RetryPolicy({ clock })
      .execute(() => Promise.reject(new Error('x')), { signal: controller.signal })
      .catch((error: unknown) => ({ error }));
    await clock.advance(1);
    controller.abort('stop');
    expect(await outcome).toEqual({ error: 'stop' });
  });

  it('never calls fn when the signal is already aborted', async () => {
    const fn = vi.fn();
    const reason = new Error('already');
    await expect(new RetryPolicy().execute(fn, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(fn).not.toHaveBeenCalled();
  });

  it("settles with fn's error and does not retry when the caller aborts while fn runs", async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const policy = new RetryPolicy({ clock });
    const events = recordEvents(policy);
    const fnError = new Error('fn saw the abort');
    const fn = vi.fn(async ({ signal }: ExecutionContext) => {
      await clock.sleep(100, signal).catch(() => undefined);
      throw fnError;
    });
    const outcome = policy.execute(fn, { signal: controller.signal }).catch((error: unknown) => error);
    await clock.advance(10);
    controller.abort(new Error('cancel'));
    expect(await outcome).toBe(fnError);
    expect(fn).toHaveBeenCalledOnce();
    expect(events.giveUps.map((event) => event.reason)).toEqual(['abort']);
  });

  it("settles with fn's value when fn succeeds although the caller aborted, even if retryOnResult refuses it", async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const policy = new RetryPolicy({ clock, retryOnResult: () => true });
    const fn = vi.fn(() => {
      controller.abort();
      return 'partial';
    });
    await expect(policy.execute(fn, { signal: controller.signal })).resolves.toBe('partial');
    expect(fn).toHaveBeenCalledOnce();
  });

  it('retries an error named AbortError when the caller did not abort', async () => {
    const clock = new ManualClock();
    const { fn } = flaky(clock, 1, () => new DOMException('inner abort', 'AbortError'));
    const result = new RetryPolicy({ clock }).execute(fn, { signal: new AbortController().signal });
    await clock.advance(1_000);
    await expect(result).resolves.toBe('ok');
  });

  it("hands fn the caller's signal, or a fresh signal per attempt that never aborts", async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const seen: AbortSignal[] = [];
    const { fn } = flaky(clock, 1);
    const record = (ctx: ExecutionContext) => {
      seen.push(ctx.signal);
      return fn(ctx);
    };
    const policy = new RetryPolicy({ clock, initialDelay: 0 });
    await policy.execute(record, { signal: controller.signal });
    expect(seen).toEqual([controller.signal, controller.signal]);
    seen.length = 0;
    fn.mockClear();
    await policy.execute(async (ctx) => {
      seen.push(ctx.signal);
      if (seen.length < 2) throw new Error('again');
    });
    expect(seen).toHaveLength(2);
    expect(seen[0]).not.toBe(seen[1]);
    expect(seen.some((signal) => signal.aborted)).toBe(false);
  });
});

describe('RetryPolicy: events', () => {
  it('emits retry with the failed attempt and the wait, then success with the attempt that worked', async () => {
    const clock = new ManualClock();
    const { fn, errors } = flaky(clock, 2);
    const policy = new RetryPolicy({ clock, initialDelay: 100 });
    const events = recordEvents(policy);
    const result = policy.execute(fn);
    await clock.advance(300);
    await expect(result).resolves.toBe('ok');
    expect(events.retries).toEqual([
      { attempt: 1, error: errors[0], value: undefined, delay: 100 },
      { attempt: 2, error: errors[1], value: undefined, delay: 200 },
    ]);
    expect(events.successes).toEqual([3]);
    expect(events.giveUps).toEqual([]);
  });

  it('emits retry before the wait starts', async () => {
    const clock = new ManualClock();
    const policy = new RetryPolicy({ clock });
    const pendingAtRetry: number[] = [];
    policy.on('retry', () => pendingAtRetry.push(clock.pendingSleeps));
    const outcome = policy.execute(() => Promise.reject(new Error('x'))).catch(() => undefined);
    await clock.advance(5_000);
    await outcome;
    expect(pendingAtRetry).toEqual([0, 0]);
  });

  it('emits giveUp with the last attempt when attempts run out', async () => {
    const clock = new ManualClock();
    const { fn, errors } = flaky(clock, 9);
    const policy = new RetryPolicy({ clock, maxAttempts: 2 });
    const events = recordEvents(policy);
    const outcome = policy.execute(fn).catch(() => undefined);
    await clock.advance(5_000);
    await outcome;
    expect(events.giveUps).toEqual([{ attempt: 2, error: errors[1], value: undefined, reason: 'maxAttempts' }]);
    expect(events.successes).toEqual([]);
  });

  it('stops calling a listener once its unsubscribe function is called', async () => {
    const policy = new RetryPolicy({ clock: new ManualClock() });
    const listener = vi.fn();
    const off = policy.on('success', listener);
    await policy.execute(() => 1);
    off();
    await policy.execute(() => 2);
    expect(listener).toHaveBeenCalledOnce();
    expect(listener).toHaveBeenCalledWith({ attempt: 1 });
  });

  it('is unaffected by a listener that throws', async () => {
    const report = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const clock = new ManualClock();
    const policy = new RetryPolicy({ clock, initialDelay: 1 });
    for (const event of ['retry', 'giveUp', 'success'] as const) {
      policy.on(event, () => {
        throw new Error(`${event} listener bug`);
      });
    }
    const { fn } = flaky(clock, 1);
    const result = policy.execute(fn);
    await clock.advance(1);
    await expect(result).resolves.toBe('ok');
    const error = new Error('real');
    await expect(new RetryPolicy({ clock, maxAttempts: 1 }).execute(() => Promise.reject(error))).rejects.toBe(error);
    expect(report).toHaveBeenCalledTimes(2);
  });
});

describe('RetryPolicy: wrap and pipeline', () => {
  it("wrap returns a function with fn's parameters and this, called through the policy", async () => {
    const clock = new ManualClock();
    let calls = 0;
    const service = {
      base: 10,
      add(this: { base: number }, a: number, b: number) {
        if (++calls < 2) throw new Error('flaky');
        return this.base + a + b;
      },
    };
    const policy = new RetryPolicy({ clock, initialDelay: 0 });
    const add = policy.wrap(service.add);
    await expect(add.call(service, 1, 2)).resolves.toBe(13);
    expect(calls).toBe(2);
  });

  it("lets an inner policy of a pipeline see the retry's attempt and the caller's signal", async () => {
    const clock = new ManualClock();
    const seen: string[] = [];
    const inner: Policy<ExecuteOptions> = {
      execute(fn, options) {
        seen.push(`inner attempt=${options?.attempt} signal=${options?.signal === controller.signal}`);
        return runTask(fn, new CallContext(options?.signal, options?.attempt ?? 1));
      },
    };
    const controller = new AbortController();
    const { fn, calls } = flaky(clock, 2);
    const result = pipeline(new RetryPolicy({ clock, initialDelay: 0 }), inner).execute(fn, { signal: controller.signal });
    await expect(result).resolves.toBe('ok');
    expect(seen).toEqual(['inner attempt=1 signal=true', 'inner attempt=2 signal=true', 'inner attempt=3 signal=true']);
    expect(calls.map((call) => call.attempt)).toEqual([1, 2, 3]);
  });

  it('works on the system clock with zero delays, leaving no timer', async () => {
    const policy = new RetryPolicy({ initialDelay: 0, clock: systemClock });
    let calls = 0;
    await expect(
      policy.execute(() => {
        if (++calls < 3) throw new Error('x');
        return calls;
      }),
    ).resolves.toBe(3);
  });
});

describe('RetryPolicy: option validation', () => {
  const fn = () => true;
  it.each<[string, unknown, typeof TypeError | typeof RangeError, string]>([
    ['options not an object', 5, TypeError, 'RetryPolicy: options must be an object, got 5'],
    ['maxAttempts 0', { maxAttempts: 0 }, RangeError, 'RetryPolicy: maxAttempts must be an integer >= 1, got 0'],
    ['maxAttempts 1.5', { maxAttempts: 1.5 }, RangeError, 'RetryPolicy: maxAttempts must be an integer >= 1, got 1.5'],
    ['maxAttempts NaN', { maxAttempts: Number.NaN }, RangeError, 'RetryPolicy: maxAttempts must be an integer >= 1, got NaN'],
    ['maxAttempts -Infinity', { maxAttempts: -Infinity }, RangeError, 'RetryPolicy: maxAttempts must be an integer >= 1, got -Infinity'],
    ['maxAttempts a string', { maxAttempts: '3' }, TypeError, 'RetryPolicy: maxAttempts must be an integer >= 1, got "3"'],
    ['backoff unknown', { backoff: 'random' }, RangeError, `RetryPolicy: backoff must be one of 'constant', 'linear', 'exponential', 'fibonacci', 'jitter' or a function, got "random"`],
    ['backoff a number', { backoff: 3 }, TypeError, `RetryPolicy: backoff must be one of 'constant', 'linear', 'exponential', 'fibonacci', 'jitter' or a function, got 3`],
    ['backoff null', { backoff: null }, TypeError, `RetryPolicy: backoff must be one of 'constant', 'linear', 'exponential', 'fibonacci', 'jitter' or a function, got null`],
    ['initialDelay negative', { initialDelay: -1 }, RangeError, 'RetryPolicy: initialDelay must be a finite number >= 0, got -1'],
    ['initialDelay Infinity', { initialDelay: Infinity }, RangeError, 'RetryPolicy: initialDelay must be a finite number >= 0, got Infinity'],
    ['initialDelay NaN', { initialDelay: Number.NaN }, RangeError, 'RetryPolicy: initialDelay must be a finite number >= 0, got NaN'],
    ['initialDelay a string', { initialDelay: '1s' }, TypeError, 'RetryPolicy: initialDelay must be a finite number >= 0, got "1s"'],
    ['maxDelay negative', { maxDelay: -1 }, RangeError, 'RetryPolicy: maxDelay must be a finite number >= 0, got -1'],
    ['maxDelay Infinity', { maxDelay: Infinity }, RangeError, 'RetryPolicy: maxDelay must be a finite number >= 0, got Infinity'],
    ['maxDelay a boolean', { maxDelay: true }, TypeError, 'RetryPolicy: maxDelay must be a finite number >= 0, got true'],
    ['multiplier below 1', { multiplier: 0.5 }, RangeError, 'RetryPolicy: multiplier must be a finite number >= 1, got 0.5'],
    ['multiplier Infinity', { multiplier: Infinity }, RangeError, 'RetryPolicy: multiplier must be a finite number >= 1, got Infinity'],
    ['multiplier a string', { multiplier: '2' }, TypeError, 'RetryPolicy: multiplier must be a finite number >= 1, got "2"'],
    ['retryIf not a function', { retryIf: true }, TypeError, 'RetryPolicy: retryIf must be a function, got true'],
    ['retryOnResult not a function', { retryOnResult: {} }, TypeError, 'RetryPolicy: retryOnResult must be a function, got an object'],
    ['maxElapsed negative', { maxElapsed: -1 }, RangeError, 'RetryPolicy: maxElapsed must be a number >= 0, got -1'],
    ['maxElapsed NaN', { maxElapsed: Number.NaN }, RangeError, 'RetryPolicy: maxElapsed must be a number >= 0, got NaN'],
    ['maxElapsed a string', { maxElapsed: '10' }, TypeError, 'RetryPolicy: maxElapsed must be a number >= 0, got "10"'],
    ['budget not a budget', { budget: {} }, TypeError, 'RetryPolicy: budget must be a RetryBudget, got an object'],
    ['budget null', { budget: null }, TypeError, 'RetryPolicy: budget must be a RetryBudget, got null'],
    ['clock not a clock', { clock: { now: fn } }, TypeError, 'RetryPolicy: clock must be a Clock (an object with now() and sleep()), got an object'],
    [
      'an unknown option',
      { retries: 3 },
      TypeError,
      'RetryPolicy: unknown option "retries"; the options are maxAttempts, backoff, initialDelay, maxDelay, multiplier, retryIf, retryOnResult, maxElapsed, budget, clock',
    ],
  ])('refuses %s', (_, options, ErrorType, message) => {
    expect(() => new RetryPolicy(options as RetryOptions)).toThrow(new ErrorType(message));
    try {
      new RetryPolicy(options as RetryOptions);
    } catch (error) {
      expect(error).toBeInstanceOf(ErrorType);
    }
  });

  it('accepts every valid option, maxAttempts and maxElapsed Infinity included', () => {
    expect(
      () =>
        new RetryPolicy({
          maxAttempts: Infinity,
          backoff: 'fibonacci',
          initialDelay: 0,
          maxDelay: 0,
          multiplier: 1,
          retryIf: fn,
          retryOnResult: fn,
          maxElapsed: Infinity,
          budget: new RetryBudget(),
          clock: new ManualClock(),
        }),
    ).not.toThrow();
    expect(() => new RetryPolicy()).not.toThrow();
    expect(() => new RetryPolicy({ backoff: () => 1, maxAttempts: undefined })).not.toThrow();
  });

  it('refuses a listener that is not a function', () => {
    expect(() => new RetryPolicy().on('retry', 5 as never)).toThrow(new TypeError('on: listener must be a function, got number'));
  });
});
