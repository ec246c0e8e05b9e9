import { ManualClock } from '@cemaf/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deferred, type Deferred } from '../test/helpers.js';
import { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from './index.js';

/*
 * Random sequences of calls (some concurrent, some with a signal), outcomes, aborts, time
 * advances, isolations and resets are driven through the breaker and through a reference model
 * written as plainly as possible. They must agree on the state after every step, on which
 * calls ran fn, on the state changes and on the counts.
 */

type Result = 'success' | 'failure' | 'ignored';

interface Config {
  readonly failureThreshold: number;
  readonly failureWindow: number | undefined;
  readonly resetTimeout: number | 'growing';
  readonly halfOpenMaxCalls: number;
  readonly successThreshold: number;
  readonly window:
    | { type: 'count' | 'time'; size: number; minimumCalls: number; failureRate: number; slowCallDuration?: number }
    | undefined;
}

type Op =
  | { kind: 'start'; signal: boolean; immediate: Result | undefined }
  | { kind: 'burst'; count: number; immediate: Result | undefined }
  | { kind: 'settle'; pick: number; result: Result }
  | { kind: 'abort'; pick: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'isolate' }
  | { kind: 'release'; pick: number }
  | { kind: 'reset' };

interface ModelCall {
  readonly epoch: number;
  readonly trial: boolean;
  readonly start: number;
  aborted: boolean;
}

/** The breaker's rules, spelled out with epochs and arrays instead of objects and rings. */
class Model {
  now = 0;
  state: CircuitState | 'isolated' = 'closed';
  epoch = 0;
  consecutive = 0;
  failureTimes: number[] = [];
  records: { end: number; failed: boolean; slow: boolean }[] = [];
  until = 0;
  streak = 0;
  trials = 0;
  successes = 0;
  holds = 0;
  changes: string[] = [];
  counts = { successes: 0, failures: 0, ignored: 0, rejections: 0, timesOpened: 0 };

  constructor(readonly config: Config) {}

  name(): CircuitState {
    return this.state === 'isolated' ? 'open' : this.state;
  }

  become(state: Model['state']): void {
    const from = this.name();
    this.state = state;
    this.epoch++;
    if (from !== this.name()) this.changes.push(`${from}->${this.name()}`);
  }

  observe(): void {
    if (this.state === 'open' && this.now >= this.until) {
      this.trials = 0;
      this.successes = 0;
      this.become('half-open');
    }
  }

  close(): void {
    this.consecutive = 0;
    this.failureTimes = [];
    this.records = [];
    this.streak = 0;
    this.become('closed');
  }

  open(streak: number): void {
    const { resetTimeout } = this.config;
    this.until = this.now + (resetTimeout === 'growing' ? 10 * streak : resetTimeout);
    this.streak = streak;
    this.counts.timesOpened++;
    this.become('open');
  }

  /** Whether the call runs; a trial takes a slot. */
  start(): ModelCall | undefined {
    this.observe();
    if (this.state === 'closed') return { epoch: this.epoch, trial: false, start: this.now, aborted: false };
    if (this.state === 'half-open' && this.trials < this.config.halfOpenMaxCalls) {
      this.trials++;
      return { epoch: this.epoch, trial: true, start: this.now, aborted: false };
    }
    this.counts.rejections++;
    return undefined;
  }

  abort(call: ModelCall): void {
    call.aborted = true;
    if (call.trial && call.epoch === this.epoch) this.trials--;
  }

  settle(call: ModelCall, result: Result): void {
    if (call.aborted || result === 'ignored') {
      this.counts.ignored++;
      if (!call.aborted && call.trial && call.epoch === this.epoch) this.trials--;
      return;
    }
    const failed = result === 'failure';
    this.counts[failed ? 'failures' : 'successes']++;
    if (call.epoch !== this.epoch) return;
    const { window } = this.config;
    const slow = window?.slowCallDuration !== undefined && this.now - call.start > window.slowCallDuration;
    if (this.state === 'half-open') {
      this.trials--;
      if (failed || slow) this.open(this.streak + 1);
      else if (++this.successes >= this.config.successThreshold) this.close();
      return;
    }
    if (window !== undefined) {
      this.records.push({ end: this.now, failed, slow });
      const { calls, failures, slowCalls } = this.inWindow();
      const minimumCalls = window.type === 'count' ? Math.min(window.minimumCalls, window.size) : window.minimumCalls;
      if (calls >= minimumCalls && (failures / calls >= window.failureRate || slowCalls / calls >= 1)) this.open(1);
      return;
    }
    if (this.config.failureWindow !== undefined) {
      if (!failed) return;
      this.failureTimes.push(this.now);
      const recent = this.failureTimes.filter((time) => this.now - time < this.config.failureWindow!);
      if (recent.length >= this.config.failureThreshold) this.open(1);
      return;
    }
    if (!failed) this.consecutive = 0;
    else if (++this.consecutive >= this.config.failureThreshold) this.open(1);
  }

  /** The calls of the current closed period still in the rate window. */
  inWindow(): { calls: number; failures: number; slowCalls: number } {
    const window = this.config.window!;
    const bucket = (time: number) => Math.floor((time * 10) / window.size);
    const records =
      this.state !== 'closed'
        ? []
        : window.type === 'count'
          ? this.records.slice(-window.size)
          : this.records.filter((record) => bucket(record.end) > bucket(this.now) - 10);
    return {
      calls: records.length,
      failures: records.filter((record) => record.failed).length,
      slowCalls: records.filter((record) => record.slow).length,
    };
  }

  /** What stats() should say about the circuit now. */
  expectedStats(): { state: CircuitState; retryAfter: number; recentFailures: number; window?: object } {
    const { failureWindow, window } = this.config;
    const closed = this.state === 'closed';
    const retryAfter = this.state === 'open' ? this.until - this.now : this.state === 'isolated' ? Infinity : 0;
    if (window !== undefined) {
      const rates = this.inWindow();
      return { state: this.name(), retryAfter, recentFailures: rates.failures, window: rates };
    }
    const recentFailures = !closed
      ? 0
      : failureWindow === undefined
        ? this.consecutive
        : this.failureTimes.filter((time) => this.now - time < failureWindow).length;
    return { state: this.name(), retryAfter, recentFailures };
  }

  isolate(): void {
    if (this.holds++ === 0) this.become('isolated');
  }

  release(): void {
    if (--this.holds === 0) this.close();
  }

  reset(): void {
    this.counts = { successes: 0, failures: 0, ignored: 0, rejections: 0, timesOpened: 0 };
    if (this.holds === 0) this.close();
  }
}

const IGNORED = new Error('excluded by isFailure');
const FAILURE = new Error('failure');

const configs: fc.Arbitrary<Config> = fc
  .record({
    failureThreshold: fc.integer({ min: 1, max: 3 }),
    failureWindow: fc.option(fc.constantFrom(5, 10, 20, 30, 50), { nil: undefined }),
    resetTimeout: fc.oneof(fc.constantFrom(0, 5, 10, 20, 30), fc.constant('growing' as const)),
    halfOpenMaxCalls: fc.integer({ min: 1, max: 3 }),
    successThreshold: fc.integer({ min: 1, max: 3 }),
    window: fc.option(
      fc.record(
        {
          type: fc.constantFrom('count' as const, 'time' as const),
          size: fc.constantFrom(1, 2, 3, 5, 10, 20, 50),
          minimumCalls: fc.integer({ min: 1, max: 5 }),
          failureRate: fc.constantFrom(0.25, 0.5, 1),
          slowCallDuration: fc.constantFrom(0, 5, 10, 20),
        },
        { requiredKeys: ['type', 'size', 'minimumCalls', 'failureRate'] },
      ),
      { nil: undefined },
    ),
  })
  .map((config) => (config.window ? { ...config, failureWindow: undefined } : config));

const results = fc.constantFrom<Result>('success', 'failure', 'ignored');
const ops: fc.Arbitrary<Op[]> = fc.array(
  fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('start' as const), signal: fc.boolean(), immediate: fc.option(results, { nil: undefined }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('burst' as const), count: fc.integer({ min: 2, max: 5 }), immediate: fc.option(results, { nil: undefined }) }) },
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('settle' as const), pick: fc.nat(), result: results }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('abort' as const), pick: fc.nat() }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(0, 1, 2, 5, 10, 20, 40) }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'isolate' as const }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'reset' as const }) },
  ),
  { minLength: 5, maxLength: 60, size: 'max' },
);

/** Lets the breaker see settled calls: its handlers run a microtask or two after fn settles. */
async function microtasks(): Promise<void> {
  for (let turn = 0; turn < 10; turn++) await Promise.resolve();
}

interface Running {
  readonly id: number;
  readonly model: ModelCall;
  readonly deferred: Deferred;
  readonly controller: AbortController | undefined;
}

async function check(config: Config, steps: Op[]): Promise<void> {
  const clock = new ManualClock();
  const options: CircuitBreakerOptions = {
    clock,
    failureThreshold: config.window ? undefined : config.failureThreshold,
    failureWindow: config.failureWindow,
    resetTimeout: config.resetTimeout === 'growing' ? (times) => 10 * times : config.resetTimeout,
    halfOpenMaxCalls: config.halfOpenMaxCalls,
    successThreshold: config.successThreshold,
    isFailure: (error) => error !== IGNORED,
    window: config.window,
  };
  const breaker = new CircuitBreaker(options);
  const model = new Model(config);
  const changes: string[] = [];
  breaker.on('stateChange', ({ from, to }) => changes.push(`${from}->${to}`));
  const ran: number[] = [];
  const expectedRan: number[] = [];
  const running: Running[] = [];
  const releases: (() => void)[] = [];
  const settled: Promise<unknown>[] = [];
  let nextId = 0;

  const start = (signal: boolean, immediate: Result | undefined) => {
    const id = nextId++;
    const modelCall = model.start();
    if (modelCall) expectedRan.push(id);
    const controller = signal ? new AbortController() : undefined;
    const call = deferred();
    const fn = () => {
      ran.push(id);
      if (immediate === 'success') return id;
      if (immediate === 'failure') throw FAILURE;
      if (immediate === 'ignored') throw IGNORED;
      return call.promise;
    };
    settled.push(breaker.execute(fn, { signal: controller?.signal }).catch(() => undefined));
    if (modelCall && immediate === undefined) running.push({ id, model: modelCall, deferred: call, controller });
    return () => {
      if (modelCall && immediate !== undefined) model.settle(modelCall, immediate);
    };
  };

  for (const step of steps) {
    switch (step.kind) {
      case 'start':
        start(step.signal, step.immediate)();
        break;
      case 'burst': {
        // Admitted together in one tick; their outcomes come after.
        const settles = Array.from({ length: step.count }, () => start(false, step.immediate));
        settles.forEach((settle) => settle());
        break;
      }
      case 'settle': {
        if (running.length === 0) break;
        const [call] = running.splice(step.pick % running.length, 1);
        model.settle(call!.model, step.result);
        if (step.result === 'success') call!.deferred.resolve(call!.id);
        else call!.deferred.reject(step.result === 'failure' ? FAILURE : IGNORED);
        break;
      }
      case 'abort': {
        const abortable = running.filter((call) => call.controller && !call.model.aborted);
        if (abortable.length === 0) break;
        const call = abortable[step.pick % abortable.length]!;
        model.abort(call.model);
        call.controller!.abort();
        break;
      }
      case 'advance':
        model.now += step.ms;
        await clock.advance(step.ms);
        break;
      case 'isolate':
        model.isolate();
        releases.push(breaker.isolate());
        break;
      case 'release': {
        if (releases.length === 0) break;
        const [release] = releases.splice(step.pick % releases.length, 1);
        model.release();
        release!();
        break;
      }
      case 'reset':
        model.reset();
        breaker.reset();
        break;
    }
    await microtasks();
    model.observe();
    const { state, retryAfter, recentFailures, window } = breaker.stats();
    const actual = { state: breaker.state, retryAfter, recentFailures, ...(window && { window }), ran };
    const expected = { ...model.expectedStats(), ran: expectedRan };
    // state is read first, as model.observe() did; expect() only on a mismatch, for speed.
    if (state !== actual.state || JSON.stringify(actual) !== JSON.stringify(expected)) {
      expect(actual).toEqual(expected);
    }
  }
  const { successes, failures, ignored, rejections, timesOpened } = breaker.stats();
  expect({ successes, failures, ignored, rejections, timesOpened }).toEqual(model.counts);
  expect(changes).toEqual(model.changes);
  for (const call of running) call.deferred.resolve(undefined);
  await Promise.all(settled);
}

describe('CircuitBreaker against a reference model', () => {
  it('agrees on state, on which calls ran fn, on state changes and on counts', async () => {
    await fc.assert(fc.asyncProperty(configs, ops, check), { numRuns: 300 });
  }, 60_000);

  it('agrees when an aborted trial gives its slot back', async () => {
    await check(
      { failureThreshold: 1, failureWindow: undefined, resetTimeout: 10, halfOpenMaxCalls: 1, successThreshold: 1, window: undefined },
      [
        { kind: 'start', signal: false, immediate: 'failure' },
        { kind: 'advance', ms: 10 },
        { kind: 'start', signal: true, immediate: undefined },
        { kind: 'abort', pick: 0 },
        { kind: 'start', signal: false, immediate: 'success' },
      ],
    );
  });

  it('agrees that a burst of failures opens once, the later failures of the burst counting nowhere', async () => {
    await check(
      { failureThreshold: 1, failureWindow: undefined, resetTimeout: 10, halfOpenMaxCalls: 1, successThreshold: 1, window: undefined },
      [{ kind: 'burst', count: 3, immediate: 'failure' }, { kind: 'advance', ms: 10 }, { kind: 'start', signal: false, immediate: 'success' }],
    );
  });
});
