import { ManualClock, pipeline, type ExecutionContext, type Policy } from '@cemaf/core';
import { CallContext, runTask } from '@cemaf/core/internal';
import { describe, expect, it, vi } from 'vitest';
import { FallbackPolicy, type FallbackEvent } from './fallback-policy.js';

function thrown(make: () => unknown): Error {
  try {
    make();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

const failure = new Error('service down');
const fail = (): Promise<never> => Promise.reject(failure);

describe('FallbackPolicy options', () => {
  it.each([
    ['fallback is missing', {}, TypeError, 'FallbackPolicy: fallback must be a value or a function (error, ctx) => value, got no fallback option'],
    ['there are no options', undefined, TypeError, 'FallbackPolicy: fallback must be a value or a function (error, ctx) => value, got no fallback option'],
    ['isFailure is not a function', { fallback: 0, isFailure: true }, TypeError, 'FallbackPolicy: isFailure must be a function, got true'],
    [
      'an option is unknown',
      { fallback: 0, fallbackValue: 0 },
      TypeError,
      'FallbackPolicy: unknown option "fallbackValue"; the options are fallback, isFailure',
    ],
    ['options is not an object', 'n/a', TypeError, 'FallbackPolicy: options must be an object, got "n/a"'],
  ])('refuses options where %s', (_rule, options, ErrorType, message) => {
    const error = thrown(() => new FallbackPolicy(options as never));
    expect(error).toBeInstanceOf(ErrorType);
    expect(error.message).toBe(message);
  });

  it('takes undefined as a fallback value', async () => {
    await expect(new FallbackPolicy({ fallback: undefined }).execute(fail)).resolves.toBeUndefined();
  });
});

describe('FallbackPolicy.execute', () => {
  it("resolves to fn's value when fn succeeds, without touching the fallback", async () => {
    const fallback = vi.fn(() => 'fallback');
    const policy = new FallbackPolicy({ fallback });
    const listener = vi.fn();
    policy.on('fallback', listener);
    await expect(policy.execute(() => 'fresh')).resolves.toBe('fresh');
    await expect(policy.execute(async () => 'fresh async')).resolves.toBe('fresh async');
    expect(fallback).not.toHaveBeenCalled();
    expect(listener).not.toHaveBeenCalled();
  });

  it('resolves to the fallback value on a rejection, a synchronous throw or a non-Error throwable', async () => {
    const cached = ['cached'];
    const policy = new FallbackPolicy({ fallback: cached });
    await expect(policy.execute(fail)).resolves.toBe(cached);
    await expect(
      policy.execute(() => {
        throw failure;
      }),
    ).resolves.toBe(cached);
    await expect(policy.execute(() => Promise.reject('a string'))).resolves.toBe(cached);
    await expect(
      policy.execute(() => {
        throw undefined;
      }),
    ).resolves.toBe(cached);
  });

  it('calls a fallback function with the failure and the context fn had', async () => {
    const caller = new AbortController();
    const seen: { error: unknown; ctx: ExecutionContext }[] = [];
    let fnCtx: ExecutionContext | undefined;
    const policy = new FallbackPolicy({
      fallback: (error: unknown, ctx: ExecutionContext) => {
        seen.push({ error, ctx });
        return 'from fallback';
      },
    });
    const result = policy.execute(
      (ctx) => {
        fnCtx = ctx;
        throw failure;
      },
      { signal: caller.signal, attempt: 4 },
    );
    await expect(result).resolves.toBe('from fallback');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.error).toBe(failure);
    expect(seen[0]?.ctx).toBe(fnCtx);
    expect(seen[0]?.ctx.signal).toBe(caller.signal);
    expect(seen[0]?.ctx.attempt).toBe(4);
  });

  it('waits for an async fallback function, and calls it again on every failure', async () => {
    let calls = 0;
    const policy = new FallbackPolicy({ fallback: async () => ({ fresh: ++calls }) });
    await expect(policy.execute(fail)).resolves.toEqual({ fresh: 1 });
    await expect(policy.execute(fail)).resolves.toEqual({ fresh: 2 });
  });

  it('rejects with exactly what the fallback function throws, Error or not, without changing it', async () => {
    const fallbackFailure = new Error('cache empty too');
    const throwing = new FallbackPolicy({
      fallback: (): string => {
        throw fallbackFailure;
      },
    });
    await expect(throwing.execute(fail)).rejects.toBe(fallbackFailure);
    expect(fallbackFailure.cause).toBeUndefined();

    const rejecting = new FallbackPolicy({ fallback: () => Promise.reject('no cache') });
    await expect(rejecting.execute(fail)).rejects.toBe('no cache');

    const rethrowing = new FallbackPolicy({
      fallback: (error: unknown): never => {
        throw error;
      },
    });
    await expect(rethrowing.execute(fail)).rejects.toBe(failure);
    expect(failure.cause).toBeUndefined();
  });

  it('passes failures that isFailure does not count to the caller unchanged', async () => {
    class NotFound extends Error {}
    const notFound = new NotFound('no such user');
    const isFailure = vi.fn((error: unknown) => !(error instanceof NotFound));
    const fallback = vi.fn(() => 'fallback');
    const policy = new FallbackPolicy({ fallback, isFailure });
    const listener = vi.fn();
    policy.on('fallback', listener);
    await expect(policy.execute(() => Promise.reject(notFound))).rejects.toBe(notFound);
    expect(fallback).not.toHaveBeenCalled();
    expect(listener).not.toHaveBeenCalled();
    await expect(policy.execute(fail)).resolves.toBe('fallback');
    expect(isFailure.mock.calls).toEqual([[notFound], [failure]]);
  });

  it('rejects with what isFailure throws', async () => {
    const predicateBug = new Error('isFailure broke');
    const policy = new FallbackPolicy({
      fallback: 'fallback',
      isFailure: () => {
        throw predicateBug;
      },
    });
    await expect(policy.execute(fail)).rejects.toBe(predicateBug);
  });

  it("never replaces an abort of the caller's signal, even when isFailure says it counts", async () => {
    const clock = new ManualClock();
    const isFailure = vi.fn(() => true);
    const fallback = vi.fn(() => 'fallback');
    const policy = new FallbackPolicy({ fallback, isFailure });
    const caller = new AbortController();
    const result = policy.execute(({ signal }) => clock.sleep(1_000, signal), { signal: caller.signal });
    const reason = new Error('user cancelled');
    caller.abort(reason);
    await expect(result).rejects.toBe(reason);
    expect(fallback).not.toHaveBeenCalled();
    expect(isFailure).not.toHaveBeenCalled();

    // fn's own error after the abort is passed on too: the caller asked to stop, not for a value.
    const stopped = new AbortController();
    const own = new Error('request aborted');
    const late = policy.execute(
      () => {
        stopped.abort();
        throw own;
      },
      { signal: stopped.signal },
    );
    await expect(late).rejects.toBe(own);
    expect(fallback).not.toHaveBeenCalled();
  });

  it("rejects before fn runs when the caller's signal is already aborted", async () => {
    const fn = vi.fn(() => 'ran');
    const fallback = vi.fn(() => 'fallback');
    const reason = new Error('already cancelled');
    await expect(new FallbackPolicy({ fallback }).execute(fn, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(fn).not.toHaveBeenCalled();
    expect(fallback).not.toHaveBeenCalled();
  });

  it('replaces an error that is merely named AbortError, as the caller did not abort', async () => {
    const policy = new FallbackPolicy({ fallback: 'fallback' });
    const abortLike = new DOMException('The operation was aborted.', 'AbortError');
    await expect(policy.execute(() => Promise.reject(abortLike), { signal: new AbortController().signal })).resolves.toBe(
      'fallback',
    );
  });

  it('replaces a failure caused by a signal of an inner policy, such as a deadline', async () => {
    const deadline = new AbortController();
    const ownSignal: Policy = {
      execute: (fn, options) => runTask(fn, new CallContext(deadline.signal, options?.attempt ?? 1)),
    };
    const caller = new AbortController();
    const result = pipeline(new FallbackPolicy({ fallback: 'fallback' }), ownSignal).execute(
      ({ signal }) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error))),
      { signal: caller.signal },
    );
    deadline.abort(new Error('deadline passed'));
    await expect(result).resolves.toBe('fallback');
  });

  it('never throws synchronously, and refuses an fn that is not a function instead of hiding it', async () => {
    const policy = new FallbackPolicy({ fallback: 'fallback' });
    let result: Promise<unknown> | undefined;
    expect(() => (result = policy.execute(null as never))).not.toThrow();
    await expect(result).rejects.toThrow(new TypeError('FallbackPolicy.execute: fn must be a function, got null'));
    await expect(result).rejects.toBeInstanceOf(TypeError);
  });
});

describe('FallbackPolicy events', () => {
  it('emits fallback with the failure, before the fallback function runs', async () => {
    const order: string[] = [];
    const policy = new FallbackPolicy({
      fallback: () => {
        order.push('fallback function');
        return 0;
      },
    });
    const seen: FallbackEvent[] = [];
    policy.on('fallback', (event) => {
      order.push('event');
      seen.push(event);
    });
    await policy.execute(() => Promise.reject('a string'));
    expect(seen).toEqual([{ error: 'a string' }]);
    expect(order).toEqual(['event', 'fallback function']);
  });

  it('keeps the outcome when a listener throws, and stops calling a removed listener', async () => {
    const report = vi.spyOn(console, 'error').mockImplementation(() => {});
    const policy = new FallbackPolicy({ fallback: 'fallback' });
    const listener = vi.fn(() => {
      throw new Error('listener bug');
    });
    const off = policy.on('fallback', listener);
    await expect(policy.execute(fail)).resolves.toBe('fallback');
    expect(report).toHaveBeenCalledTimes(1);
    off();
    await expect(policy.execute(fail)).resolves.toBe('fallback');
    expect(listener).toHaveBeenCalledTimes(1);
  });
});

describe('FallbackPolicy.wrap', () => {
  it("keeps fn's arguments and this, and falls back", async () => {
    const policy = new FallbackPolicy({ fallback: -1 });
    const account = {
      balance: 10,
      withdraw(this: { balance: number }, amount: number) {
        if (amount > this.balance) throw new Error('insufficient funds');
        return this.balance - amount;
      },
    };
    const withdraw = policy.wrap(account.withdraw);
    await expect(withdraw.call(account, 4)).resolves.toBe(6);
    await expect(withdraw.call(account, 40)).resolves.toBe(-1);
  });
});
