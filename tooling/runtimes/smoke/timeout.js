// @cemaf/timeout: TimeoutPolicy's deadline through the call's signal, on both clocks.
import { assert, isPending, track } from './harness.js';

const never = () => new Promise(() => undefined);

export default {
  packages: ['@cemaf/timeout', '@cemaf/core'],
  checks(packages, check) {
    const { TimeoutPolicy } = packages['@cemaf/timeout'];
    const { ManualClock, systemClock, TimeoutError } = packages['@cemaf/core'];

    check('rejects with TimeoutError at the deadline, aborting ctx.signal, even if fn ignores it', async () => {
      const clock = new ManualClock();
      const policy = new TimeoutPolicy({ timeout: 1_000, clock });
      let signal;
      const call = track(
        policy.execute((ctx) => {
          signal = ctx.signal;
          return never();
        }),
      );
      await clock.advance(999);
      assert.ok(await isPending(call), 'pending at 999 ms');
      assert.equal(signal.aborted, false, 'ctx.signal at 999 ms');
      await clock.advance(1);
      const error = await assert.rejects(call, 'the call');
      assert.error(error, TimeoutError, undefined, 'the call');
      assert.equal(error.code, 'TIMEOUT', 'code');
      assert.equal(error.timeout, 1_000, 'timeout');
      assert.equal(signal.aborted, true, 'ctx.signal at 1 000 ms');
    });

    check('a call that settles in time clears its timer', async () => {
      const clock = new ManualClock();
      const policy = new TimeoutPolicy({ timeout: 1_000, clock });
      assert.equal(await policy.execute(() => 'fast'), 'fast', 'result');
      const failure = new Error('failed fast');
      assert.equal(
        await assert.rejects(
          policy.execute(() => Promise.reject(failure)),
          'failure',
        ),
        failure,
        'rejection',
      );
      assert.equal(clock.pendingSleeps, 0, 'pendingSleeps after the calls');
    });

    check("the caller's abort reaches ctx.signal; an already aborted signal rejects before fn runs", async () => {
      const clock = new ManualClock();
      const policy = new TimeoutPolicy({ timeout: 1_000, clock });
      const controller = new AbortController();
      const reason = new Error('cancelled');
      const call = track(
        policy.execute(
          (ctx) =>
            new Promise((_, reject) => {
              ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
            }),
          { signal: controller.signal },
        ),
      );
      await clock.advance(10);
      controller.abort(reason);
      assert.equal(await assert.rejects(call, 'aborted call'), reason, 'rejection is the caller’s reason');
      let calls = 0;
      const early = track(policy.execute(() => calls++, { signal: AbortSignal.abort(reason) }));
      assert.equal(await assert.rejects(early, 'already aborted'), reason, 'rejection is signal.reason');
      assert.equal(calls, 0, 'fn calls');
      assert.equal(clock.pendingSleeps, 0, 'pendingSleeps');
    });

    check('a real deadline on systemClock (the default clock)', async () => {
      const policy = new TimeoutPolicy({ timeout: 20 });
      const start = systemClock.now();
      const error = await assert.rejects(policy.execute(never), 'the call');
      const elapsed = systemClock.now() - start;
      assert.error(error, TimeoutError, undefined, 'the call');
      assert.ok(elapsed >= 20, `rejected after ${elapsed} ms, at least 20 ms`);
      // A long deadline that is not reached: its timer must go, or the runtime would not exit.
      assert.equal(await new TimeoutPolicy({ timeout: 3_600_000 }).execute(() => 'in time'), 'in time', 'result');
    });

    check('wrap() keeps the arguments; a sync throw is a rejection', async () => {
      const policy = new TimeoutPolicy({ timeout: 1_000, clock: new ManualClock() });
      assert.equal(await policy.wrap((a, b) => a + b)(2, 3), 5, 'wrapped call');
      const thrown = new Error('sync');
      const call = track(
        policy.execute(() => {
          throw thrown;
        }),
      );
      assert.equal(await assert.rejects(call, 'sync throw'), thrown, 'rejection');
    });

    check('options are validated', () => {
      const error = assert.throws(() => new TimeoutPolicy({ timeout: -1 }), 'timeout: -1');
      assert.error(error, RangeError, undefined, 'timeout: -1');
      assert.ok(error.message.startsWith('TimeoutPolicy: timeout must be'), `message: ${error.message}`);
    });
  },
};
