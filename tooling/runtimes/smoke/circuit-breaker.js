// @cemaf/circuit-breaker: CircuitBreaker's states, rejections, isolation, persistence and modes.
import { assert, deferred, track } from './harness.js';

const fail = () => {
  throw new Error('service down');
};

/** Runs `count` failing calls and waits for their rejections. */
async function failTimes(breaker, count) {
  for (let i = 0; i < count; i++) await breaker.execute(fail).catch(() => undefined);
}

export default {
  packages: ['@cemaf/circuit-breaker', '@cemaf/core'],
  checks(packages, check) {
    const { CircuitBreaker, CircuitOpenError } = packages['@cemaf/circuit-breaker'];
    const core = packages['@cemaf/core'];
    const { ManualClock } = core;

    check('exports CircuitBreaker and re-exports CircuitOpenError from core', () => {
      assert.equal(typeof CircuitBreaker, 'function', 'typeof CircuitBreaker');
      assert.equal(CircuitOpenError, core.CircuitOpenError, 'CircuitOpenError is core’s class');
    });

    check('seed example: { failureThreshold: 5, resetTimeout: 60_000 } on ManualClock', async () => {
      const clock = new ManualClock();
      const breaker = new CircuitBreaker({ failureThreshold: 5, resetTimeout: 60_000, clock });
      const changes = [];
      let rejects = 0;
      breaker.on('stateChange', ({ from, to }) => changes.push(`${from}->${to}`));
      breaker.on('reject', () => rejects++);
      assert.equal(breaker.state, 'closed', 'initial state');
      await failTimes(breaker, 4);
      assert.equal(breaker.state, 'closed', 'state after 4 failures');
      await failTimes(breaker, 1);
      assert.equal(breaker.state, 'open', 'state after 5 failures');

      let calls = 0;
      const rejected = await assert.rejects(
        breaker.execute(() => calls++),
        'call while open',
      );
      assert.error(rejected, CircuitOpenError, undefined, 'call while open');
      assert.equal(rejected.code, 'CIRCUIT_OPEN', 'code');
      assert.equal(rejected.retryAfter, 60_000, 'retryAfter');
      assert.equal(rejected.isolated, false, 'isolated');
      assert.equal(calls, 0, 'fn was not called');
      assert.equal(rejects, 1, 'reject events');

      await clock.advance(59_999);
      assert.equal(breaker.state, 'open', 'state at 59 999 ms');
      assert.equal(
        (
          await assert.rejects(
            breaker.execute(() => calls++),
            'at 59 999 ms',
          )
        ).retryAfter,
        1,
        'retryAfter at 59 999 ms',
      );
      await clock.advance(1);
      assert.equal(breaker.state, 'half-open', 'state at 60 000 ms');
      assert.equal(await breaker.execute(() => 'trial'), 'trial', 'the trial call runs');
      assert.equal(breaker.state, 'closed', 'state after a trial success');
      assert.deepEqual(changes, ['closed->open', 'open->half-open', 'half-open->closed'], 'stateChange events');
    });

    check('half-open lets one trial through at a time, and a trial failure opens again', async () => {
      const clock = new ManualClock();
      const breaker = new CircuitBreaker({ failureThreshold: 1, resetTimeout: 1_000, clock });
      await failTimes(breaker, 1);
      await clock.advance(1_000);
      const trial = deferred();
      const running = track(breaker.execute(() => trial.promise));
      const second = await assert.rejects(
        breaker.execute(() => 'second'),
        'a second call during the trial',
      );
      assert.error(second, CircuitOpenError, undefined, 'a second call during the trial');
      trial.reject(new Error('still down'));
      await assert.rejects(running, 'the trial');
      assert.equal(breaker.state, 'open', 'state after a trial failure');
      assert.equal(
        (
          await assert.rejects(
            breaker.execute(() => 1),
            'after reopening',
          )
        ).retryAfter,
        1_000,
        'retryAfter',
      );
    });

    check('isolate() holds it open until released', async () => {
      const clock = new ManualClock();
      const breaker = new CircuitBreaker({ clock });
      const release = breaker.isolate();
      assert.equal(breaker.state, 'open', 'state while isolated');
      const error = await assert.rejects(
        breaker.execute(() => 1),
        'call while isolated',
      );
      assert.error(error, CircuitOpenError, undefined, 'call while isolated');
      assert.equal(error.isolated, true, 'isolated');
      assert.equal(error.retryAfter, Infinity, 'retryAfter');
      if (typeof Symbol.dispose === 'symbol') {
        assert.equal(typeof release[Symbol.dispose], 'function', 'the release is Disposable');
      }
      release();
      assert.equal(breaker.state, 'closed', 'state after release');
      assert.equal(await breaker.execute(() => 'ok'), 'ok', 'call after release');
    });

    check('aborts are not failures; isFailure filters what counts', async () => {
      const clock = new ManualClock();
      const breaker = new CircuitBreaker({
        failureThreshold: 1,
        isFailure: (error) => error.code !== 'NOT_FOUND',
        clock,
      });
      const reason = new Error('cancelled');
      assert.equal(
        await assert.rejects(breaker.execute(fail, { signal: AbortSignal.abort(reason) }), 'already aborted'),
        reason,
        'rejection',
      );
      const controller = new AbortController();
      const during = track(
        breaker.execute(
          (ctx) => {
            controller.abort(reason);
            return Promise.reject(ctx.signal.reason);
          },
          { signal: controller.signal },
        ),
      );
      assert.equal(await assert.rejects(during, 'aborted while running'), reason, 'rejection');
      const notFound = Object.assign(new Error('no such user'), { code: 'NOT_FOUND' });
      const excluded = await assert.rejects(
        breaker.execute(() => Promise.reject(notFound)),
        'excluded error',
      );
      assert.equal(excluded, notFound, 'an excluded error still reaches the caller');
      assert.equal(breaker.state, 'closed', 'state after aborts and excluded errors');
    });

    check('toJSON() and initialState restore an open circuit on another clock', async () => {
      const clock = new ManualClock();
      const breaker = new CircuitBreaker({ failureThreshold: 1, resetTimeout: 60_000, clock });
      await failTimes(breaker, 1);
      await clock.advance(10_000);
      const saved = JSON.parse(JSON.stringify(breaker.toJSON()));
      const restored = new CircuitBreaker({
        failureThreshold: 1,
        resetTimeout: 60_000,
        initialState: saved,
        clock: new ManualClock(5_000_000),
      });
      assert.equal(restored.state, 'open', 'restored state');
      const error = await assert.rejects(
        restored.execute(() => 1),
        'call on the restored breaker',
      );
      assert.equal(error.retryAfter, 50_000, 'retryAfter after restoring');
    });

    check('resetTimeout as a function grows the open time; reset() closes', async () => {
      const clock = new ManualClock();
      const breaker = new CircuitBreaker({ failureThreshold: 1, resetTimeout: (opened) => opened * 1_000, clock });
      await failTimes(breaker, 1);
      assert.equal(
        (
          await assert.rejects(
            breaker.execute(() => 1),
            'first opening',
          )
        ).retryAfter,
        1_000,
        'first open time',
      );
      await clock.advance(1_000);
      await failTimes(breaker, 1);
      assert.equal(
        (
          await assert.rejects(
            breaker.execute(() => 1),
            'second opening',
          )
        ).retryAfter,
        2_000,
        'second open time',
      );
      breaker.reset();
      assert.equal(breaker.state, 'closed', 'state after reset()');
      assert.equal(typeof breaker.stats(), 'object', 'stats()');
    });

    check('rate-based window opens at the failure rate', async () => {
      const clock = new ManualClock();
      const breaker = new CircuitBreaker({
        window: { type: 'count', size: 4, minimumCalls: 4, failureRate: 0.5 },
        clock,
      });
      await breaker.execute(() => 1);
      await breaker.execute(() => 2);
      await failTimes(breaker, 1);
      assert.equal(breaker.state, 'closed', 'state at 1 failure in 3 calls');
      await failTimes(breaker, 1);
      assert.equal(breaker.state, 'open', 'state at 2 failures in 4 calls');
    });

    check('wrap() keeps the arguments', async () => {
      const breaker = new CircuitBreaker({ clock: new ManualClock() });
      const add = breaker.wrap((a, b) => a + b);
      assert.equal(await add(2, 3), 5, 'wrapped call');
    });

    check('options are validated', () => {
      const error = assert.throws(() => new CircuitBreaker({ failureThreshold: 0 }), 'failureThreshold: 0');
      assert.error(error, RangeError, undefined, 'failureThreshold: 0');
      assert.ok(error.message.startsWith('CircuitBreaker: failureThreshold must be'), `message: ${error.message}`);
      const both = assert.throws(
        () =>
          new CircuitBreaker({
            failureWindow: 1_000,
            window: { type: 'count', size: 10, minimumCalls: 5, failureRate: 0.5 },
          }),
        'failureWindow with window',
      );
      assert.error(both, TypeError, undefined, 'failureWindow with window');
    });
  },
};
