// @cemaf/core: clocks, errors, pipeline(), and the internal entry the other packages import.
import { assert, isPending } from './harness.js';

export default {
  packages: ['@cemaf/core', '@cemaf/core/internal'],
  checks(packages, check) {
    const core = packages['@cemaf/core'];
    const internal = packages['@cemaf/core/internal'];
    const { ManualClock, systemClock, pipeline, CemafError, CircuitOpenError, RateLimitExceededError, TimeoutError } =
      core;

    check('exports its public API', () => {
      for (const name of [
        'ManualClock',
        'CemafError',
        'CircuitOpenError',
        'RateLimitExceededError',
        'TimeoutError',
        'pipeline',
      ]) {
        assert.equal(typeof core[name], 'function', `typeof ${name}`);
      }
      assert.equal(typeof systemClock.now, 'function', 'systemClock.now');
      assert.equal(typeof systemClock.sleep, 'function', 'systemClock.sleep');
    });

    check('@cemaf/core/internal loads (the other packages import it)', () => {
      for (const name of ['Emitter', 'CallContext', 'runTask', 'wrap', 'optionsOf', 'numberOption']) {
        assert.equal(typeof internal[name], 'function', `typeof internal.${name}`);
      }
    });

    check('ManualClock wakes sleepers in due-time order', async () => {
      const clock = new ManualClock();
      const woken = [];
      void clock.sleep(100).then(() => woken.push(clock.now()));
      void clock.sleep(50).then(() => woken.push(clock.now()));
      assert.equal(clock.pendingSleeps, 2, 'pendingSleeps before advance');
      await clock.advance(99);
      assert.deepEqual(woken, [50], 'woken after 99 ms');
      await clock.advance(1);
      assert.deepEqual(woken, [50, 100], 'woken after 100 ms');
      assert.equal(clock.pendingSleeps, 0, 'pendingSleeps after advance');
    });

    check('ManualClock.advance runs resumed code that sleeps again', async () => {
      const clock = new ManualClock(1_000);
      const times = [];
      const loop = (async () => {
        for (let i = 0; i < 3; i++) {
          await clock.sleep(10);
          times.push(clock.now());
        }
        return 'done';
      })();
      await clock.advance(30);
      assert.deepEqual(times, [1_010, 1_020, 1_030], 'wake-up times');
      assert.equal(await loop, 'done', 'loop result');
      assert.equal(clock.now(), 1_030, 'now() after advance');
    });

    check('ManualClock.sleep rejects with signal.reason and drops the sleeper', async () => {
      const clock = new ManualClock();
      const controller = new AbortController();
      const reason = { why: 'caller gave up' };
      const sleep = clock.sleep(1_000, controller.signal);
      controller.abort(reason);
      assert.equal(await assert.rejects(sleep, 'aborted sleep'), reason, 'rejection is signal.reason');
      assert.equal(clock.pendingSleeps, 0, 'pendingSleeps');
      const early = await assert.rejects(clock.sleep(1, AbortSignal.abort(reason)), 'already aborted');
      assert.equal(early, reason, 'already aborted rejects with signal.reason');
    });

    check('systemClock sleeps for real and never wakes early', async () => {
      const start = systemClock.now();
      await systemClock.sleep(25);
      const slept = systemClock.now() - start;
      assert.ok(slept >= 25, `slept ${slept} ms, at least 25 ms`);
      await systemClock.sleep(0);
    });

    check('systemClock.sleep rejects with signal.reason on abort', async () => {
      const controller = new AbortController();
      const reason = new Error('stop');
      // An hour: if the abort left its timer armed, the runtime would not exit (the runner checks).
      const sleep = systemClock.sleep(3_600_000, controller.signal);
      assert.ok(await isPending(sleep), 'sleep is pending before the abort');
      controller.abort(reason);
      assert.equal(await assert.rejects(sleep, 'aborted sleep'), reason, 'rejection is signal.reason');
      const early = await assert.rejects(systemClock.sleep(10, AbortSignal.abort('no')), 'already aborted');
      assert.equal(early, 'no', 'already aborted rejects with signal.reason');
    });

    check('error classes carry name, code and their fields', () => {
      const open = new CircuitOpenError({ retryAfter: 1_500 });
      const isolated = new CircuitOpenError({ retryAfter: Infinity, isolated: true });
      const limited = new RateLimitExceededError({ retryAfter: 250 });
      const timeout = new TimeoutError({ timeout: 100 });
      const cases = [
        [open, CircuitOpenError, 'CIRCUIT_OPEN'],
        [isolated, CircuitOpenError, 'CIRCUIT_OPEN'],
        [limited, RateLimitExceededError, 'RATE_LIMITED'],
        [timeout, TimeoutError, 'TIMEOUT'],
      ];
      for (const [error, Type, code] of cases) {
        assert.error(error, Type, undefined, Type.name);
        assert.ok(error instanceof CemafError && error instanceof Error, `${Type.name} extends CemafError and Error`);
        assert.equal(error.code, code, `${Type.name}.code`);
        assert.ok(error.message.length > 0, `${Type.name}.message`);
        assert.ok(typeof error.stack === 'string', `${Type.name}.stack`);
      }
      assert.equal(open.retryAfter, 1_500, 'CircuitOpenError.retryAfter');
      assert.equal(open.isolated, false, 'CircuitOpenError.isolated');
      assert.equal(isolated.isolated, true, 'isolated CircuitOpenError.isolated');
      assert.equal(isolated.retryAfter, Infinity, 'isolated CircuitOpenError.retryAfter');
      assert.equal(limited.retryAfter, 250, 'RateLimitExceededError.retryAfter');
      assert.equal(timeout.timeout, 100, 'TimeoutError.timeout');
      const cause = new Error('socket hang up');
      const base = new CemafError('CUSTOM', 'wrapped', { cause });
      assert.equal(base.name, 'CemafError', 'CemafError.name');
      assert.equal(base.code, 'CUSTOM', 'CemafError.code');
      assert.equal(base.cause, cause, 'CemafError.cause');
    });

    check('pipeline runs policies outermost first and passes options on', async () => {
      const seen = [];
      const layer = (name) => ({
        execute(fn, options) {
          seen.push(`${name}:${options?.key}:${options?.attempt ?? 1}`);
          return Promise.resolve(fn({ signal: options?.signal ?? new AbortController().signal, attempt: 2 }));
        },
      });
      const composed = pipeline(layer('outer'), layer('inner'));
      const value = await composed.execute((ctx) => `attempt ${ctx.attempt}`, { key: 'tenant-1' });
      assert.equal(value, 'attempt 2', 'result');
      assert.deepEqual(seen, ['outer:tenant-1:1', 'inner:tenant-1:2'], 'order and options');
    });

    check('pipeline refuses a non-policy with a TypeError', () => {
      const error = assert.throws(() => pipeline({ execute: () => Promise.resolve() }, null), 'pipeline(policy, null)');
      assert.error(
        error,
        TypeError,
        'pipeline: policy 2 must be a policy (an object with an execute() method), got null',
        'pipeline(policy, null)',
      );
    });

    check('execute never throws synchronously; non-Errors pass through unchanged', async () => {
      const empty = pipeline();
      const thrown = new Error('sync');
      const call = empty.execute(() => {
        throw thrown;
      });
      assert.equal(await assert.rejects(call, 'sync throw'), thrown, 'a sync throw becomes the rejection');
      assert.equal(
        await assert.rejects(
          empty.execute(() => {
            throw 'plain string';
          }),
          'string throw',
        ),
        'plain string',
        'a thrown string passes through',
      );
      const reason = { code: 'GONE' };
      const aborted = await assert.rejects(
        empty.execute(() => 'ran', { signal: AbortSignal.abort(reason) }),
        'aborted',
      );
      assert.equal(aborted, reason, 'an already aborted signal rejects with signal.reason');
    });

    check('ctx.signal is a fresh signal that never aborts when the caller gives none', async () => {
      const empty = pipeline();
      const [a, b] = await Promise.all([empty.execute((ctx) => ctx.signal), empty.execute((ctx) => ctx.signal)]);
      assert.ok(a instanceof AbortSignal, 'ctx.signal is an AbortSignal');
      assert.equal(a.aborted, false, 'ctx.signal.aborted');
      assert.ok(a !== b, 'each call gets its own signal');
      const controller = new AbortController();
      const own = await empty.execute((ctx) => ctx.signal, { signal: controller.signal });
      assert.equal(own, controller.signal, "ctx.signal is the caller's signal");
    });

    check('pipeline().wrap keeps the arguments', async () => {
      const add = pipeline().wrap((a, b) => a + b);
      assert.equal(await add(2, 3), 5, 'wrapped call');
    });
  },
};
