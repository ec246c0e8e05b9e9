import { CircuitOpenError as CoreCircuitOpenError, ManualClock, pipeline } from '@cemaf/core';
import { describe, expect, it, vi } from 'vitest';
import { boom, deferred, flush, outcome } from '../test/helpers.js';
import { CircuitBreaker, CircuitOpenError, type CircuitBreakerOptions, type CircuitState } from './index.js';

function setup(options: CircuitBreakerOptions = {}) {
  const clock = new ManualClock();
  const breaker = new CircuitBreaker({ clock, ...options });
  const changes: string[] = [];
  breaker.on('stateChange', ({ from, to }) => changes.push(`${from}->${to}`));
  return { clock, breaker, changes };
}

const fail = (breaker: CircuitBreaker, times = 1) =>
  Promise.all(Array.from({ length: times }, () => outcome(breaker.execute(() => boom()))));

async function openedBreaker(options: CircuitBreakerOptions = {}) {
  const made = setup({ failureThreshold: 1, resetTimeout: 1_000, ...options });
  await fail(made.breaker);
  expect(made.breaker.state).toBe('open');
  return made;
}

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  const settled = await outcome(promise);
  if (!('error' in settled)) throw new Error('expected a rejection');
  return settled.error;
}

describe('closed -> open', () => {
  it('opens after failureThreshold consecutive failures, calling fn for each', async () => {
    const { breaker, changes } = setup({ failureThreshold: 3 });
    const fn = vi.fn(() => boom());
    for (let i = 0; i < 2; i++) await outcome(breaker.execute(fn));
    expect(breaker.state).toBe('closed');
    await outcome(breaker.execute(fn));
    expect(breaker.state).toBe('open');
    expect(fn).toHaveBeenCalledTimes(3);
    expect(changes).toEqual(['closed->open']);
  });

  it('is reset to zero consecutive failures by a success', async () => {
    const { breaker } = setup({ failureThreshold: 2 });
    await fail(breaker);
    await breaker.execute(() => 'ok');
    await fail(breaker);
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().recentFailures).toBe(1);
    await fail(breaker);
    expect(breaker.state).toBe('open');
  });

  it('counts a synchronous throw as a failure and passes non-Error throwables through unchanged', async () => {
    const { breaker } = setup({ failureThreshold: 3 });
    expect(await errorOf(breaker.execute(() => { throw 'text'; }))).toBe('text');
    expect(await errorOf(breaker.execute(() => { throw undefined; }))).toBeUndefined();
    const thrown = { not: 'an error' };
    expect(await errorOf(breaker.execute(() => Promise.reject(thrown)))).toBe(thrown);
    expect(breaker.state).toBe('open');
  });

  it('takes values, promises and thenables from fn', async () => {
    const { breaker } = setup();
    expect(await breaker.execute(() => 1)).toBe(1);
    expect(await breaker.execute(async () => 2)).toBe(2);
    const thenable = { then: (resolve: (value: number) => void) => resolve(3) };
    expect(await breaker.execute(() => thenable as PromiseLike<number>)).toBe(3);
    expect(breaker.stats().successes).toBe(3);
  });
});

describe('open', () => {
  it('rejects with CircuitOpenError without calling fn', async () => {
    const { breaker, clock } = await openedBreaker({ resetTimeout: 1_000 });
    await clock.advance(250);
    const fn = vi.fn();
    const error = await errorOf(breaker.execute(fn));
    expect(fn).not.toHaveBeenCalled();
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error).toBeInstanceOf(CoreCircuitOpenError);
    expect(error).toMatchObject({ name: 'CircuitOpenError', code: 'CIRCUIT_OPEN', retryAfter: 750, isolated: false });
    expect((error as Error).message).toBe(
      'Circuit is open, so the call was not made; a trial call is allowed in 750 ms (retryAfter)',
    );
  });

  it('makes its rejection without stack frames and leaves Error.stackTraceLimit as it was', async () => {
    const { breaker } = await openedBreaker();
    const before = Error.stackTraceLimit;
    const error = (await errorOf(breaker.execute(() => 1))) as Error;
    expect(Error.stackTraceLimit).toBe(before);
    expect(error.stack).toBe(`CircuitOpenError: ${error.message}`);
  });

  it('rounds retryAfter up to a whole ms, so waiting it out always finds the circuit half-open', async () => {
    const { breaker, clock } = await openedBreaker({ resetTimeout: 100 });
    await clock.advance(0.5);
    expect(await errorOf(breaker.execute(() => 1))).toMatchObject({ retryAfter: 100 });
    await clock.advance(99.5);
    expect(breaker.state).toBe('half-open');
  });

  it('turns half-open at exactly openedAt + resetTimeout, and rejected calls do not extend it', async () => {
    const { breaker, clock, changes } = await openedBreaker({ resetTimeout: 1_000 });
    for (let i = 0; i < 5; i++) {
      await clock.advance(199);
      await outcome(breaker.execute(() => 1));
    }
    expect(breaker.state).toBe('open');
    await clock.advance(4);
    expect(breaker.state).toBe('open');
    await clock.advance(1);
    expect(clock.now()).toBe(1_000);
    expect(breaker.state).toBe('half-open');
    expect(breaker.state).toBe('half-open');
    expect(changes).toEqual(['closed->open', 'open->half-open']);
  });

  it('reports each rejection through the reject event', async () => {
    const { breaker } = await openedBreaker();
    const rejects: unknown[] = [];
    breaker.on('reject', (event) => rejects.push(event));
    const error = await errorOf(breaker.execute(() => 1));
    expect(rejects).toEqual([{ state: 'open', error }]);
    expect(breaker.stats().rejections).toBe(1);
  });

  it('sets no timer of any kind', async () => {
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const { breaker, clock } = await openedBreaker();
    await outcome(breaker.execute(() => 1));
    expect(clock.pendingSleeps).toBe(0);
    expect(setTimeoutSpy).not.toHaveBeenCalled();
  });
});

describe('half-open', () => {
  it('lets exactly halfOpenMaxCalls trial calls run at once and rejects the others', async () => {
    const { breaker, clock } = await openedBreaker({ halfOpenMaxCalls: 3 });
    await clock.advance(1_000);
    const running = deferred();
    const fn = vi.fn(() => running.promise);
    const calls = Array.from({ length: 10 }, () => outcome(breaker.execute(fn)));
    expect(fn).toHaveBeenCalledTimes(3);
    running.resolve('done');
    const settled = await Promise.all(calls);
    expect(settled.filter((call) => 'value' in call)).toHaveLength(3);
    const rejected = settled.filter((call) => 'error' in call).map((call) => ('error' in call ? call.error : undefined));
    expect(rejected).toHaveLength(7);
    expect(rejected[0]).toMatchObject({
      code: 'CIRCUIT_OPEN',
      retryAfter: 0,
      isolated: false,
      message: 'Circuit is half-open with every trial slot taken, so the call was not made; retry once a trial ends',
    });
    expect(breaker.state).toBe('closed');
  });

  it('reports a rejection in half-open with its state', async () => {
    const { breaker, clock } = await openedBreaker();
    await clock.advance(1_000);
    const trial = deferred();
    const call = breaker.execute(() => trial.promise);
    const rejects: string[] = [];
    breaker.on('reject', ({ state }) => rejects.push(state));
    await outcome(breaker.execute(() => 1));
    trial.resolve(1);
    await call;
    expect(rejects).toEqual(['half-open']);
  });

  it('closes after successThreshold trial successes, one slot at a time', async () => {
    const { breaker, clock, changes } = await openedBreaker({ successThreshold: 3 });
    await clock.advance(1_000);
    await breaker.execute(() => 1);
    await breaker.execute(() => 2);
    expect(breaker.state).toBe('half-open');
    await breaker.execute(() => 3);
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
  });

  it('opens again for resetTimeout when a trial fails', async () => {
    const { breaker, clock, changes } = await openedBreaker({ resetTimeout: 1_000, successThreshold: 2 });
    await clock.advance(1_000);
    await breaker.execute(() => 1);
    await fail(breaker);
    expect(breaker.state).toBe('open');
    await clock.advance(999);
    expect(breaker.state).toBe('open');
    await clock.advance(1);
    expect(breaker.state).toBe('half-open');
    expect(changes).toEqual(['closed->open', 'open->half-open', 'half-open->open', 'open->half-open']);
  });

  it('asks a resetTimeout function for each opening in a row, starting over after closing', async () => {
    const resetTimeout = vi.fn((times: number) => 100 * 2 ** (times - 1));
    const { breaker, clock } = await openedBreaker({ resetTimeout });
    await clock.advance(100);
    await fail(breaker);
    expect(await errorOf(breaker.execute(() => 1))).toMatchObject({ retryAfter: 200 });
    await clock.advance(200);
    await fail(breaker);
    expect(await errorOf(breaker.execute(() => 1))).toMatchObject({ retryAfter: 400 });
    await clock.advance(400);
    await breaker.execute(() => 'closes');
    await fail(breaker);
    expect(resetTimeout.mock.calls.map(([times]) => times)).toEqual([1, 2, 3, 1]);
    expect(breaker.stats().timesOpened).toBe(4);
  });

  it('starts the count of openings in a row over after reset() and after an isolation', async () => {
    const resetTimeout = vi.fn((_times: number) => 100);
    const { breaker, clock } = await openedBreaker({ resetTimeout });
    await clock.advance(100);
    await fail(breaker);
    breaker.reset();
    await fail(breaker);
    await clock.advance(100);
    breaker.isolate()();
    await fail(breaker);
    expect(resetTimeout.mock.calls.map(([times]) => times)).toEqual([1, 2, 1, 1]);
  });
});

describe('a resetTimeout function that returns a bad value', () => {
  it('rejects the call that would open the circuit with a RangeError, and leaves the circuit as it was', async () => {
    const { breaker, clock } = setup({ failureThreshold: 1, resetTimeout: (times) => (times === 1 ? 100 : -5) });
    await fail(breaker);
    await clock.advance(100);
    const error = await errorOf(breaker.execute(() => boom()));
    expect(error).toEqual(new RangeError('CircuitBreaker: resetTimeout(2) must be a finite number >= 0, got -5'));
    expect(error).toBeInstanceOf(RangeError);
    expect(breaker.state).toBe('half-open');
    expect(await breaker.execute(() => 'trial slot was given back')).toBe('trial slot was given back');
  });
});

describe('errors isFailure excludes', () => {
  const isFailure = (error: unknown) => !(error instanceof TypeError);
  const excluded = (breaker: CircuitBreaker) => outcome(breaker.execute(() => Promise.reject(new TypeError('bad input'))));

  it('reach the caller and neither count as failures nor reset the consecutive count', async () => {
    const { breaker } = setup({ failureThreshold: 2, isFailure });
    await fail(breaker);
    const settled = await excluded(breaker);
    expect(settled).toEqual({ error: new TypeError('bad input') });
    expect(breaker.stats()).toMatchObject({ recentFailures: 1, ignored: 1, failures: 1, successes: 0 });
    await fail(breaker);
    expect(breaker.state).toBe('open');
  });

  it('give a half-open trial slot back without closing or opening the circuit', async () => {
    const { breaker, clock } = await openedBreaker({ isFailure });
    await clock.advance(1_000);
    await excluded(breaker);
    expect(breaker.state).toBe('half-open');
    const fn = vi.fn(() => 'ok');
    await breaker.execute(fn);
    expect(fn).toHaveBeenCalled();
    expect(breaker.state).toBe('closed');
  });

  it('count as a failure when isFailure itself throws, and the call rejects with what it threw', async () => {
    const verdict = new Error('isFailure is broken');
    const { breaker } = setup({
      failureThreshold: 1,
      isFailure: () => {
        throw verdict;
      },
    });
    expect(await errorOf(breaker.execute(() => boom()))).toBe(verdict);
    expect(breaker.state).toBe('open');
  });
});

describe('aborts', () => {
  it('reject at once with the reason when the signal is already aborted, without fn or counting', async () => {
    const { breaker } = setup();
    const controller = new AbortController();
    controller.abort(new Error('caller left'));
    const fn = vi.fn();
    expect(await errorOf(breaker.execute(fn, { signal: controller.signal }))).toEqual(new Error('caller left'));
    expect(fn).not.toHaveBeenCalled();
    expect(breaker.stats()).toMatchObject({ successes: 0, failures: 0, ignored: 0, rejections: 0 });
  });

  it('take precedence over an open circuit', async () => {
    const { breaker } = await openedBreaker();
    const signal = AbortSignal.abort('gone');
    expect(await errorOf(breaker.execute(() => 1, { signal }))).toBe('gone');
    expect(breaker.stats().rejections).toBe(0);
  });

  it('while fn runs: the call settles with fn outcome, which counts as nothing', async () => {
    const { breaker } = setup({ failureThreshold: 2 });
    await fail(breaker);
    const controller = new AbortController();
    const running = deferred();
    const call = breaker.execute(() => running.promise, { signal: controller.signal });
    controller.abort();
    running.reject(new Error('aborted fetch'));
    expect(await outcome(call)).toEqual({ error: new Error('aborted fetch') });
    const late = new AbortController();
    const succeeding = breaker.execute(async () => 'late value', { signal: late.signal });
    late.abort();
    expect(await succeeding).toBe('late value');
    expect(breaker.stats()).toMatchObject({ recentFailures: 1, ignored: 2, failures: 1, successes: 0 });
    expect(breaker.state).toBe('closed');
  });

  it('give a trial slot back the moment the caller aborts, even if fn never settles', async () => {
    const { breaker, clock } = await openedBreaker();
    await clock.advance(1_000);
    const controller = new AbortController();
    const never = new Promise<never>(() => {});
    void breaker.execute(() => never, { signal: controller.signal });
    expect(await errorOf(breaker.execute(() => 1))).toMatchObject({ code: 'CIRCUIT_OPEN', retryAfter: 0 });
    controller.abort();
    expect(await breaker.execute(() => 'next trial')).toBe('next trial');
    expect(breaker.state).toBe('closed');
  });

  it('ignore the late outcome of an aborted trial', async () => {
    const { breaker, clock } = await openedBreaker({ halfOpenMaxCalls: 2, successThreshold: 2 });
    await clock.advance(1_000);
    const controller = new AbortController();
    const running = deferred();
    const aborted = outcome(breaker.execute(() => running.promise, { signal: controller.signal }));
    controller.abort();
    running.reject(new Error('late failure'));
    await aborted;
    expect(breaker.state).toBe('half-open');
    await breaker.execute(() => 1);
    await breaker.execute(() => 2);
    expect(breaker.state).toBe('closed');
  });
});

describe('a trial call that never settles', () => {
  it('holds its slot while its caller waits (pair the breaker with a timeout), until reset()', async () => {
    const { breaker, clock } = await openedBreaker();
    await clock.advance(1_000);
    void breaker.execute(() => new Promise(() => {}));
    await clock.advance(3_600_000);
    expect(breaker.state).toBe('half-open');
    expect(await errorOf(breaker.execute(() => 1))).toMatchObject({ code: 'CIRCUIT_OPEN' });
    breaker.reset();
    expect(await breaker.execute(() => 'free again')).toBe('free again');
  });
});

describe('calls from an earlier period', () => {
  it('do not count once the circuit has opened, nor in half-open, nor after it closed again', async () => {
    const { breaker, clock } = setup({ failureThreshold: 2, resetTimeout: 1_000 });
    const slow = Array.from({ length: 4 }, () => deferred());
    const calls = slow.map((call) => outcome(breaker.execute(() => call.promise)));
    await fail(breaker, 2);
    expect(breaker.state).toBe('open');
    // A failure of a call started while closed neither re-opens nor extends the open period.
    slow[0]!.reject(new Error('stale'));
    await flush();
    expect(await errorOf(breaker.execute(() => 1))).toMatchObject({ retryAfter: 1_000 });
    await clock.advance(1_000);
    const trial = deferred();
    const trialCall = breaker.execute(() => trial.promise);
    // Stale outcomes in half-open neither close it, nor open it, nor free the trial slot.
    slow[1]!.resolve('stale');
    slow[2]!.reject(new Error('stale'));
    await flush();
    expect(breaker.state).toBe('half-open');
    expect(await errorOf(breaker.execute(() => 1))).toMatchObject({ retryAfter: 0 });
    trial.resolve('trial');
    await trialCall;
    expect(breaker.state).toBe('closed');
    // And after closing, they do not count in the new closed period.
    await fail(breaker);
    slow[3]!.reject(new Error('stale'));
    await flush();
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().recentFailures).toBe(1);
    await Promise.all(calls);
    // They are still reported as what they were.
    expect(breaker.stats()).toMatchObject({ successes: 2, failures: 6 });
  });

  it('count nowhere when they end among calls of the current period, which count', async () => {
    const { breaker } = setup({ failureThreshold: 2 });
    const earlier = [deferred(), deferred()];
    const earlierCalls = earlier.map((call) => outcome(breaker.execute(() => call.promise)));
    breaker.reset();
    const current = deferred();
    const currentCall = outcome(breaker.execute(() => current.promise));
    earlier[0]!.reject(new Error('earlier'));
    current.reject(new Error('current'));
    earlier[1]!.reject(new Error('earlier'));
    await Promise.all([...earlierCalls, currentCall]);
    expect(breaker.stats()).toMatchObject({ state: 'closed', failures: 3, recentFailures: 1 });
    await fail(breaker);
    expect(breaker.state).toBe('open');
  });

  it('do not count when a trial ends after another trial re-opened the circuit', async () => {
    const { breaker, clock } = await openedBreaker({ halfOpenMaxCalls: 2 });
    await clock.advance(1_000);
    const first = deferred();
    const firstCall = breaker.execute(() => first.promise);
    await fail(breaker);
    expect(breaker.state).toBe('open');
    first.resolve('late success');
    await firstCall;
    expect(breaker.state).toBe('open');
  });
});

describe('failureWindow', () => {
  it('opens on failureThreshold failures within the window, whatever succeeded in between', async () => {
    const { breaker, clock } = setup({ failureThreshold: 3, failureWindow: 1_000 });
    await fail(breaker);
    await breaker.execute(() => 'ok');
    await clock.advance(500);
    await fail(breaker);
    await breaker.execute(() => 'ok');
    expect(breaker.stats().recentFailures).toBe(2);
    await clock.advance(499);
    await fail(breaker);
    expect(breaker.state).toBe('open');
  });

  it('counts a failure for exactly failureWindow ms', async () => {
    const { breaker, clock } = setup({ failureThreshold: 2, failureWindow: 1_000 });
    await fail(breaker);
    await clock.advance(1_000);
    expect(breaker.stats().recentFailures).toBe(0);
    await fail(breaker);
    expect(breaker.state).toBe('closed');
    await clock.advance(999);
    expect(breaker.stats().recentFailures).toBe(1);
    await fail(breaker);
    expect(breaker.state).toBe('open');
  });

  it('starts empty after closing', async () => {
    const { breaker, clock } = setup({ failureThreshold: 2, failureWindow: 10_000, resetTimeout: 100 });
    await fail(breaker, 2);
    await clock.advance(100);
    await breaker.execute(() => 'trial');
    expect(breaker.stats().recentFailures).toBe(0);
    await fail(breaker);
    expect(breaker.state).toBe('closed');
  });
});

describe('window', () => {
  it('count: opens when the failure rate over the last size calls reaches failureRate', async () => {
    const { breaker } = setup({ window: { size: 4, minimumCalls: 4, failureRate: 0.5 } });
    await fail(breaker);
    await breaker.execute(() => 1);
    await breaker.execute(() => 1);
    expect(breaker.stats().window).toEqual({ calls: 3, failures: 1, slowCalls: 0 });
    await breaker.execute(() => 1);
    // The oldest call (the failure) leaves as the fifth comes in.
    await fail(breaker);
    expect(breaker.stats().window).toEqual({ calls: 4, failures: 1, slowCalls: 0 });
    expect(breaker.state).toBe('closed');
    await fail(breaker);
    expect(breaker.state).toBe('open');
  });

  it('judges no rate before minimumCalls calls, and may open on a success that reaches it', async () => {
    const { breaker } = setup({ window: { size: 10, minimumCalls: 3, failureRate: 0.6 } });
    await fail(breaker, 2);
    expect(breaker.state).toBe('closed');
    await breaker.execute(() => 'third call');
    expect(breaker.state).toBe('open');
  });

  it('caps minimumCalls at the size of a count window', async () => {
    const { breaker } = setup({ window: { size: 2, minimumCalls: 50, failureRate: 1 } });
    await fail(breaker, 2);
    expect(breaker.state).toBe('open');
  });

  it('time: counts the calls that ended within the last size ms, in tenths', async () => {
    const { breaker, clock } = setup({ window: { type: 'time', size: 1_000, minimumCalls: 2, failureRate: 0.6 } });
    await fail(breaker);
    await clock.advance(950);
    await breaker.execute(() => 1);
    expect(breaker.stats().window).toEqual({ calls: 2, failures: 1, slowCalls: 0 });
    await clock.advance(50);
    // The failure's tenth, [0, 100), has left the window now that it is 1000.
    expect(breaker.stats().window).toEqual({ calls: 1, failures: 0, slowCalls: 0 });
    await fail(breaker);
    expect(breaker.state).toBe('closed');
    await fail(breaker);
    expect(breaker.state).toBe('open');
  });

  it('time: empties completely after a long quiet spell', async () => {
    const { breaker, clock } = setup({ window: { type: 'time', size: 100, minimumCalls: 1 } });
    await breaker.execute(() => 1);
    await clock.advance(10_000);
    expect(breaker.stats().window).toEqual({ calls: 0, failures: 0, slowCalls: 0 });
  });

  it('counts calls longer than slowCallDuration as slow, and opens at slowCallRate', async () => {
    const { breaker, clock } = setup({
      window: { size: 4, minimumCalls: 4, failureRate: 1, slowCallDuration: 100, slowCallRate: 0.5 },
    });
    const slowCall = async (ms: number) => {
      const call = breaker.execute(() => clock.sleep(ms));
      await clock.advance(ms);
      await call;
    };
    await slowCall(100);
    await slowCall(101);
    await slowCall(10);
    expect(breaker.stats().window).toEqual({ calls: 3, failures: 0, slowCalls: 1 });
    await slowCall(500);
    expect(breaker.state).toBe('open');
  });

  it('counts a slow failure as both failed and slow', async () => {
    const { breaker, clock } = setup({ window: { size: 10, minimumCalls: 5, slowCallDuration: 10 } });
    const call = outcome(breaker.execute(() => clock.sleep(20).then(() => boom())));
    await clock.advance(20);
    await call;
    expect(breaker.stats().window).toEqual({ calls: 1, failures: 1, slowCalls: 1 });
  });

  it('re-opens on a slow trial call', async () => {
    const { breaker, clock } = setup({
      resetTimeout: 100,
      window: { size: 1, minimumCalls: 1, slowCallDuration: 50 },
    });
    await fail(breaker);
    await clock.advance(100);
    const trial = breaker.execute(() => clock.sleep(60).then(() => 'slow but fine'));
    await clock.advance(60);
    expect(await trial).toBe('slow but fine');
    expect(breaker.state).toBe('open');
  });

  it('starts empty after closing', async () => {
    const { breaker, clock } = setup({ resetTimeout: 100, window: { size: 4, minimumCalls: 2 } });
    await fail(breaker, 2);
    await clock.advance(100);
    await breaker.execute(() => 1);
    expect(breaker.stats().window).toEqual({ calls: 0, failures: 0, slowCalls: 0 });
    await fail(breaker);
    expect(breaker.state).toBe('closed');
  });
});

describe('isolate()', () => {
  it('holds the circuit open, rejecting with isolated: true and retryAfter: Infinity, until released', async () => {
    const { breaker, changes } = setup();
    const release = breaker.isolate();
    expect(breaker.state).toBe('open');
    const fn = vi.fn();
    const error = await errorOf(breaker.execute(fn));
    expect(fn).not.toHaveBeenCalled();
    expect(error).toMatchObject({ code: 'CIRCUIT_OPEN', isolated: true, retryAfter: Infinity });
    expect((error as Error).message).toBe(
      'Circuit is isolated, so the call was not made; it stays open until every isolate() release is called',
    );
    expect(breaker.stats()).toMatchObject({ isolated: true, retryAfter: Infinity, timesOpened: 0 });
    release();
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['closed->open', 'open->closed']);
  });

  it('needs every nested isolation released, each release counting once', async () => {
    const { breaker } = setup();
    const first = breaker.isolate();
    const second = breaker.isolate();
    first();
    first();
    expect(breaker.state).toBe('open');
    second();
    expect(breaker.state).toBe('closed');
  });

  it('is released by disposal too', () => {
    const { breaker } = setup();
    {
      using _hold = breaker.isolate();
      expect(breaker.state).toBe('open');
    }
    expect(breaker.state).toBe('closed');
    const release = breaker.isolate();
    expect(release[Symbol.dispose]).toBe(release);
    release[Symbol.dispose]();
    expect(breaker.state).toBe('closed');
  });

  it('overrides an open or half-open circuit and closes with fresh counts when released', async () => {
    const { breaker, clock, changes } = await openedBreaker();
    const whileOpen = breaker.isolate();
    await clock.advance(5_000);
    expect(breaker.state).toBe('open');
    whileOpen();
    expect(breaker.state).toBe('closed');
    await fail(breaker);
    await clock.advance(1_000);
    expect(breaker.state).toBe('half-open');
    const trial = deferred();
    const trialCall = outcome(breaker.execute(() => trial.promise));
    const whileHalfOpen = breaker.isolate();
    trial.reject(new Error('stale trial'));
    await trialCall;
    whileHalfOpen();
    expect(changes).toEqual([
      'closed->open',
      'open->closed',
      'closed->open',
      'open->half-open',
      'half-open->open',
      'open->closed',
    ]);
    expect(breaker.stats().recentFailures).toBe(0);
  });

  it('is not lifted by reset()', () => {
    const { breaker } = setup();
    const release = breaker.isolate();
    breaker.reset();
    expect(breaker.state).toBe('open');
    release();
    expect(breaker.state).toBe('closed');
  });
});

describe('reset()', () => {
  it('closes the circuit with fresh counts and zeroes the stats', async () => {
    const { breaker, changes } = await openedBreaker();
    breaker.reset();
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['closed->open', 'open->closed']);
    expect(breaker.stats()).toEqual({
      state: 'closed',
      isolated: false,
      retryAfter: 0,
      successes: 0,
      failures: 0,
      ignored: 0,
      rejections: 0,
      timesOpened: 0,
      recentFailures: 0,
    });
  });

  it('makes calls that are still running count nowhere', async () => {
    const { breaker } = setup({ failureThreshold: 1 });
    const running = deferred();
    const call = outcome(breaker.execute(() => running.promise));
    breaker.reset();
    running.reject(new Error('from before the reset'));
    await call;
    expect(breaker.state).toBe('closed');
  });
});

describe('stats()', () => {
  it('counts outcomes, rejections and openings, and says how long the circuit stays open', async () => {
    const { breaker, clock } = setup({ failureThreshold: 2, resetTimeout: 1_000, isFailure: (error) => error !== 'ignored' });
    await breaker.execute(() => 1);
    await outcome(breaker.execute(() => Promise.reject('ignored')));
    await fail(breaker, 2);
    await outcome(breaker.execute(() => 1));
    await clock.advance(400);
    expect(breaker.stats()).toEqual({
      state: 'open',
      isolated: false,
      retryAfter: 600,
      successes: 1,
      failures: 2,
      ignored: 1,
      rejections: 1,
      timesOpened: 1,
      recentFailures: 0,
    });
  });
});

describe('toJSON() and initialState', () => {
  const roundTrip = (breaker: CircuitBreaker) => JSON.parse(JSON.stringify(breaker)) as unknown;

  it('carries an open circuit to another process as the time it has left', async () => {
    const { breaker, clock } = await openedBreaker({ resetTimeout: 1_000 });
    await clock.advance(300);
    const snapshot = roundTrip(breaker);
    expect(snapshot).toEqual({ state: 'open', remaining: 700 });
    const elsewhere = new ManualClock(5_000_000);
    const restored = new CircuitBreaker({ clock: elsewhere, initialState: snapshot as never, resetTimeout: 1_000 });
    expect(restored.state).toBe('open');
    expect(await errorOf(restored.execute(() => 1))).toMatchObject({ retryAfter: 700 });
    await elsewhere.advance(700);
    expect(restored.state).toBe('half-open');
  });

  it('restarts the count of openings in a row at 1 for a restored open circuit', async () => {
    const resetTimeout = vi.fn(() => 100);
    const clock = new ManualClock();
    const restored = new CircuitBreaker({ clock, resetTimeout, initialState: { state: 'open', remaining: 10 } });
    await clock.advance(10);
    await fail(restored);
    expect(resetTimeout).toHaveBeenCalledWith(2);
  });

  it('keeps the consecutive failures of a closed circuit and the successes of a half-open one', async () => {
    const { breaker } = setup({ failureThreshold: 3 });
    await fail(breaker, 2);
    expect(roundTrip(breaker)).toEqual({ state: 'closed', failures: 2 });
    const restored = new CircuitBreaker({ failureThreshold: 3, initialState: breaker.toJSON() });
    await fail(restored);
    expect(restored.state).toBe('open');

    const halfOpen = new CircuitBreaker({ successThreshold: 2, initialState: { state: 'half-open', successes: 1 } });
    expect(halfOpen.toJSON()).toEqual({ state: 'half-open', successes: 1 });
    await halfOpen.execute(() => 1);
    expect(halfOpen.state).toBe('closed');
  });

  it('stores no windows: a restored closed circuit starts them empty', async () => {
    const { breaker } = setup({ failureThreshold: 3, failureWindow: 1_000 });
    await fail(breaker, 2);
    expect(breaker.toJSON()).toEqual({ state: 'closed', failures: 0 });
    const rated = new CircuitBreaker({ window: { size: 5 }, initialState: { state: 'closed', failures: 4 } });
    expect(rated.stats().recentFailures).toBe(0);
  });

  it('stores an isolated circuit as the closed one it becomes when released', () => {
    const { breaker } = setup();
    breaker.isolate();
    expect(breaker.toJSON()).toEqual({ state: 'closed', failures: 0 });
  });

  it('observes the open -> half-open step first', async () => {
    const { breaker, clock, changes } = await openedBreaker();
    await clock.advance(1_000);
    expect(breaker.toJSON()).toEqual({ state: 'half-open', successes: 0 });
    expect(changes).toEqual(['closed->open', 'open->half-open']);
  });
});

describe('events', () => {
  it('report successes and counted failures with their duration', async () => {
    const { breaker, clock } = setup({ isFailure: (error) => error !== 'ignored' });
    const heard: unknown[] = [];
    breaker.on('success', (event) => heard.push(['success', event]));
    breaker.on('failure', (event) => heard.push(['failure', event]));
    const call = breaker.execute(() => clock.sleep(30).then(() => 'value'));
    await clock.advance(30);
    await call;
    const error = new Error('down');
    const failing = outcome(breaker.execute(() => clock.sleep(5).then(() => Promise.reject(error))));
    await clock.advance(5);
    await failing;
    await outcome(breaker.execute(() => Promise.reject('ignored')));
    expect(heard).toEqual([
      ['success', { duration: 30 }],
      ['failure', { error, duration: 5 }],
    ]);
  });

  it('give NaN as the duration of a call that started before anything listened', async () => {
    const { breaker } = setup();
    const running = deferred();
    const call = breaker.execute(() => running.promise);
    const durations: number[] = [];
    breaker.on('success', ({ duration }) => durations.push(duration));
    running.resolve(1);
    await call;
    expect(durations).toEqual([Number.NaN]);
  });

  it('never let a throwing listener change a call, and stop when unsubscribed', async () => {
    const errorLog = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { breaker } = setup({ failureThreshold: 1 });
    const off = breaker.on('failure', () => {
      throw new Error('listener bug');
    });
    breaker.on('stateChange', () => {
      throw new Error('listener bug');
    });
    expect(await errorOf(breaker.execute(() => boom('real')))).toEqual(new Error('real'));
    expect(breaker.state).toBe('open');
    expect(errorLog).toHaveBeenCalledTimes(2);
    off();
    breaker.reset();
    await fail(breaker);
    expect(errorLog).toHaveBeenCalledTimes(4);
  });

  it('see the new state from a stateChange listener, and may call the breaker re-entrantly', async () => {
    const { breaker, clock } = await openedBreaker();
    const seen: CircuitState[] = [];
    breaker.on('stateChange', ({ to }) => {
      seen.push(breaker.state);
      if (to === 'half-open') breaker.reset();
    });
    await clock.advance(1_000);
    expect(breaker.state).toBe('closed');
    expect(seen).toEqual(['half-open', 'closed']);
  });
});

describe('execute', () => {
  it("hands fn the caller's signal and attempt, or a fresh signal that never aborts", async () => {
    const { breaker } = setup();
    const controller = new AbortController();
    const seen = await breaker.execute((ctx) => ctx, { signal: controller.signal, attempt: 3 });
    expect(seen.signal).toBe(controller.signal);
    expect(seen.attempt).toBe(3);
    const plain = await breaker.execute((ctx) => ctx);
    expect(plain.attempt).toBe(1);
    expect(plain.signal.aborted).toBe(false);
    expect(plain.signal).not.toBe((await breaker.execute((ctx) => ctx)).signal);
  });

  it('never throws synchronously: a bad fn or a detached call is a rejection, and counts as nothing', async () => {
    const { breaker } = setup({ failureThreshold: 1 });
    const call = breaker.execute(42 as never);
    expect(await errorOf(call)).toEqual(new TypeError('CircuitBreaker: fn must be a function, got 42'));
    const { execute } = breaker;
    expect(await errorOf(execute(() => 1))).toBeInstanceOf(TypeError);
    expect(breaker.state).toBe('closed');
  });

  it('works inside a pipeline, which passes the signal and attempt on', async () => {
    const { breaker } = setup();
    const controller = new AbortController();
    const seen = await pipeline(breaker).execute((ctx) => ctx, { attempt: 4, signal: controller.signal });
    expect(seen.attempt).toBe(4);
    expect(seen.signal).toBe(controller.signal);
  });
});

describe('wrap()', () => {
  it('returns a function with fn parameters and this, called through the breaker', async () => {
    const { breaker } = await openedBreaker();
    breaker.reset();
    const target = {
      base: 10,
      add(this: { base: number }, value: number) {
        return this.base + value;
      },
    };
    const add = breaker.wrap(target.add);
    expect(await add.call(target, 5)).toBe(15);
    breaker.isolate();
    expect(await errorOf(add.call(target, 1))).toMatchObject({ code: 'CIRCUIT_OPEN' });
  });
});
