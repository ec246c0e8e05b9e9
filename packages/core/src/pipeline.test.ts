import { describe, expect, it, vi } from 'vitest';
import { CallContext, pipeline, runTask, type ExecuteOptions, type Policy } from './pipeline.js';

interface KeyedOptions extends ExecuteOptions {
  readonly key?: string;
}

/** A policy that logs what it sees and runs fn once, as a breaker or limiter would. */
function tracer(name: string, log: string[]): Policy<KeyedOptions> {
  return {
    async execute(fn, options) {
      log.push(`${name}: key=${options?.key ?? '-'} attempt=${options?.attempt ?? '-'} signal=${options?.signal ? 'yes' : 'no'}`);
      try {
        return await runTask(fn, new CallContext(options?.signal, options?.attempt ?? 1));
      } finally {
        log.push(`${name}: done`);
      }
    },
  };
}

/** A policy that runs fn up to twice, numbering attempts, as a retry would. */
const twice: Policy = {
  async execute(fn, options) {
    try {
      return await runTask(fn, new CallContext(options?.signal, 1));
    } catch {
      return runTask(fn, new CallContext(options?.signal, 2));
    }
  },
};

/** A policy that hands fn a signal of its own, as a timeout would. */
function ownSignal(signal: AbortSignal): Policy {
  return { execute: (fn, options) => runTask(fn, new CallContext(signal, options?.attempt ?? 1)) };
}

describe('pipeline', () => {
  it('runs the first policy outermost', async () => {
    const log: string[] = [];
    const result = await pipeline(tracer('a', log), tracer('b', log), tracer('c', log)).execute(() => {
      log.push('fn');
      return 42;
    });
    expect(result).toBe(42);
    expect(log.map((line) => line.split(':')[0] + (line.endsWith('done') ? ' done' : ''))).toEqual([
      'a', 'b', 'c', 'fn', 'c done', 'b done', 'a done',
    ]);
  });

  it('passes the caller options to every policy, with the attempt of the policies outside it', async () => {
    const log: string[] = [];
    const attempts: number[] = [];
    await pipeline(twice, tracer('inner', log)).execute(
      ({ attempt }) => {
        attempts.push(attempt);
        if (attempt === 1) throw new Error('first attempt fails');
        return 'ok';
      },
      { key: 'user-1' },
    );
    expect(attempts).toEqual([1, 2]);
    expect(log.filter((line) => !line.endsWith('done'))).toEqual([
      'inner: key=user-1 attempt=1 signal=no',
      'inner: key=user-1 attempt=2 signal=no',
    ]);
  });

  it("gives fn the caller's signal, or the signal of a policy outside it", async () => {
    const caller = new AbortController();
    const seen: AbortSignal[] = [];
    const log: string[] = [];
    await pipeline(tracer('outer', log), tracer('inner', log)).execute(({ signal }) => seen.push(signal), {
      signal: caller.signal,
    });
    expect(seen).toEqual([caller.signal]);
    expect(log[1]).toBe('inner: key=- attempt=1 signal=yes');

    const deadline = new AbortController();
    await pipeline(ownSignal(deadline.signal), tracer('inner', log)).execute(({ signal }) => seen.push(signal), {
      signal: caller.signal,
    });
    expect(seen[1]).toBe(deadline.signal);
  });

  it('makes no signal for a call whose fn does not read it, and never shares one', async () => {
    const log: string[] = [];
    const policy = pipeline(tracer('outer', log), tracer('inner', log));
    await policy.execute(() => 1);
    // Nothing to pass on (no signal, first attempt): the inner policy gets no options at all.
    expect(log).toContain('inner: key=- attempt=- signal=no');

    const signals: AbortSignal[] = [];
    await policy.execute((ctx) => signals.push(ctx.signal, ctx.signal));
    await policy.execute((ctx) => signals.push(ctx.signal));
    expect(signals[0]).toBe(signals[1]);
    expect(signals[0]).not.toBe(signals[2]);
    expect(signals.every((signal) => !signal.aborted)).toBe(true);
  });

  it('turns a synchronous throw into a rejection and passes non-Error throwables unchanged', async () => {
    const log: string[] = [];
    const policy = pipeline(tracer('a', log));
    const failure = new Error('boom');
    await expect(policy.execute(() => { throw failure; })).rejects.toBe(failure);
    await expect(policy.execute(() => { throw 'plain string'; })).rejects.toBe('plain string');
    await expect(policy.execute(() => { throw undefined; })).rejects.toBeUndefined();
  });

  it('rejects, never throws, when a foreign policy throws synchronously', async () => {
    const failure = new Error('sync');
    const broken: Policy = {
      execute: () => {
        throw failure;
      },
    };
    const result = pipeline(broken).execute(() => 1);
    await expect(result).rejects.toBe(failure);
  });

  it('with no policies, just runs fn, unless the signal is already aborted', async () => {
    const fn = vi.fn(({ attempt }: { attempt: number }) => attempt);
    await expect(pipeline().execute(fn, { attempt: 3 })).resolves.toBe(3);
    await expect(pipeline().execute(fn, { signal: AbortSignal.abort('stop') })).rejects.toBe('stop');
    expect(fn).toHaveBeenCalledOnce();
  });

  it('refuses what is not a policy, naming its position', () => {
    const log: string[] = [];
    expect(() => pipeline(tracer('a', log), {} as Policy)).toThrow(
      new TypeError('pipeline: policy 2 must be a policy (an object with an execute() method), got an object'),
    );
    expect(() => pipeline(null as unknown as Policy)).toThrow(
      new TypeError('pipeline: policy 1 must be a policy (an object with an execute() method), got null'),
    );
  });

  it('wraps a function, keeping its arguments and this', async () => {
    const log: string[] = [];
    const counter = {
      base: 10,
      add: pipeline(tracer('a', log)).wrap(function (this: { base: number }, x: number, y: number) {
        return this.base + x + y;
      }),
    };
    await expect(counter.add(1, 2)).resolves.toBe(13);
    expect(log).toEqual(['a: key=- attempt=- signal=no', 'a: done']);
  });
});
