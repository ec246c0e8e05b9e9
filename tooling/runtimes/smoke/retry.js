// @cemaf/retry: RetryPolicy, the backoff functions, RetryBudget, isTransientError, parseRetryAfter.
import { assert, isPending, track } from './harness.js';

export default {
  packages: ['@cemaf/retry', '@cemaf/core'],
  checks(packages, check) {
    const retry = packages['@cemaf/retry'];
    const { ManualClock, systemClock, TimeoutError } = packages['@cemaf/core'];
    const { RetryPolicy, RetryBudget } = retry;

    check('exports its public API', () => {
      const names = ['RetryPolicy', 'RetryBudget', 'isTransientError', 'parseRetryAfter'];
      names.push('constant', 'linear', 'exponential', 'fibonacci', 'fullJitter', 'equalJitter', 'decorrelatedJitter');
      for (const name of names) assert.equal(typeof retry[name], 'function', `typeof ${name}`);
    });

    check("seed example: { maxAttempts: 3, backoff: 'exponential', initialDelay: 1_000 } on ManualClock", async () => {
      const clock = new ManualClock();
      const policy = new RetryPolicy({ maxAttempts: 3, backoff: 'exponential', initialDelay: 1_000, clock });
      const retries = [];
      let successes = 0;
      policy.on('retry', ({ attempt, error, delay }) => retries.push([attempt, error.message, delay]));
      policy.on('success', () => successes++);
      const attempts = [];
      const call = track(
        policy.execute((ctx) => {
          attempts.push(ctx.attempt);
          if (ctx.attempt < 3) throw new Error(`failure ${ctx.attempt}`);
          return 'done';
        }),
      );
      await clock.advance(999);
      assert.deepEqual(attempts, [1], 'attempts after 999 ms');
      await clock.advance(1);
      assert.deepEqual(attempts, [1, 2], 'attempts after 1 000 ms');
      await clock.advance(1_999);
      assert.deepEqual(attempts, [1, 2], 'attempts after 2 999 ms');
      await clock.advance(1);
      assert.equal(await call, 'done', 'result');
      assert.deepEqual(attempts, [1, 2, 3], 'attempts after 3 000 ms');
      assert.deepEqual(
        retries,
        [
          [1, 'failure 1', 1_000],
          [2, 'failure 2', 2_000],
        ],
        'retry events',
      );
      assert.equal(successes, 1, 'success events');
    });

    check('gives up after maxAttempts with the last error, unchanged', async () => {
      const clock = new ManualClock();
      const policy = new RetryPolicy({ maxAttempts: 3, initialDelay: 100, clock });
      let giveUps = 0;
      policy.on('giveUp', () => giveUps++);
      const errors = [];
      const call = track(
        policy.execute(() => {
          const error = new Error(`failure ${errors.length + 1}`);
          errors.push(error);
          throw error;
        }),
      );
      await clock.advance(300);
      assert.equal(await assert.rejects(call, 'call'), errors[2], 'rejects with the last error itself');
      assert.equal(errors.length, 3, 'attempts');
      assert.equal(giveUps, 1, 'giveUp events');
    });

    check('non-Error throwables are retried and pass through unchanged', async () => {
      const clock = new ManualClock();
      const policy = new RetryPolicy({ maxAttempts: 2, initialDelay: 10, clock });
      let calls = 0;
      const call = track(
        policy.execute(() => {
          calls++;
          throw 'plain string';
        }),
      );
      await clock.advance(10);
      assert.equal(await assert.rejects(call, 'call'), 'plain string', 'rejection');
      assert.equal(calls, 2, 'attempts');
    });

    check('an abort during the backoff rejects with signal.reason at once and clears the sleep', async () => {
      const clock = new ManualClock();
      const policy = new RetryPolicy({ maxAttempts: 5, initialDelay: 1_000, clock });
      const controller = new AbortController();
      const reason = new Error('the user left');
      let calls = 0;
      const call = track(
        policy.execute(
          () => {
            calls++;
            throw new Error('unavailable');
          },
          { signal: controller.signal },
        ),
      );
      await clock.advance(0);
      assert.equal(clock.pendingSleeps, 1, 'a backoff sleep is pending');
      controller.abort(reason);
      assert.equal(await assert.rejects(call, 'call'), reason, 'rejection is signal.reason');
      assert.equal(clock.pendingSleeps, 0, 'pendingSleeps after the abort');
      await clock.advance(10_000);
      assert.equal(calls, 1, 'attempts');
    });

    check('an already aborted signal rejects before fn runs; an abort inside fn is not retried', async () => {
      const clock = new ManualClock();
      const policy = new RetryPolicy({ maxAttempts: 3, initialDelay: 10, clock });
      let calls = 0;
      const reason = { why: 'cancelled' };
      const early = track(policy.execute(() => calls++, { signal: AbortSignal.abort(reason) }));
      assert.equal(await assert.rejects(early, 'already aborted'), reason, 'rejection is signal.reason');
      assert.equal(calls, 0, 'fn calls');
      const controller = new AbortController();
      const during = track(
        policy.execute(
          (ctx) => {
            calls++;
            controller.abort(reason);
            return Promise.reject(ctx.signal.reason);
          },
          { signal: controller.signal },
        ),
      );
      await clock.advance(100);
      assert.equal(await assert.rejects(during, 'aborted while running'), reason, "settles with fn's outcome");
      assert.equal(calls, 1, 'fn calls: the abort was not retried');
    });

    check("an error's retryAfter is honoured", async () => {
      const clock = new ManualClock();
      const policy = new RetryPolicy({ maxAttempts: 2, initialDelay: 1_000, clock });
      const delays = [];
      policy.on('retry', ({ delay }) => delays.push(delay));
      let calls = 0;
      const call = track(
        policy.execute(() => {
          calls++;
          if (calls === 1) throw Object.assign(new Error('slow down'), { retryAfter: 5_000 });
          return 'ok';
        }),
      );
      await clock.advance(4_999);
      assert.equal(calls, 1, 'attempts after 4 999 ms');
      await clock.advance(1);
      assert.equal(await call, 'ok', 'result');
      assert.deepEqual(delays, [5_000], 'retry delays');
    });

    check('retryOnResult retries on a value', async () => {
      const clock = new ManualClock();
      const policy = new RetryPolicy({
        maxAttempts: 3,
        initialDelay: 10,
        retryOnResult: (response) => response.status === 503,
        clock,
      });
      const statuses = [503, 200];
      const call = track(policy.execute(() => ({ status: statuses.shift() })));
      await clock.advance(10);
      assert.deepEqual(await call, { status: 200 }, 'result');
    });

    check('a backoff function sets the delays', async () => {
      const clock = new ManualClock();
      const seen = [];
      const policy = new RetryPolicy({
        maxAttempts: 3,
        backoff: ({ attempt }) => {
          seen.push(attempt);
          return attempt * 7;
        },
        clock,
      });
      let calls = 0;
      const call = track(
        policy.execute(() => {
          if (++calls < 3) throw new Error('again');
          return clock.now();
        }),
      );
      await clock.advance(21);
      assert.equal(await call, 21, 'finished at 7 + 14 ms');
      assert.deepEqual(seen, [1, 2], 'backoff attempts');
    });

    check('backoff functions compute the documented delays', () => {
      const error = new Error('x');
      const at = (backoff, attempt, previousDelay = 0) => backoff({ attempt, error, previousDelay });
      assert.equal(at(retry.constant(250), 4), 250, 'constant(250)');
      const linear = retry.linear({ initialDelay: 100, maxDelay: 1_000 });
      assert.equal(at(linear, 3), 300, 'linear, attempt 3');
      const exponential = retry.exponential({ initialDelay: 100, multiplier: 2, maxDelay: 1_000 });
      assert.deepEqual(
        [1, 2, 3, 10].map((n) => at(exponential, n)),
        [100, 200, 400, 1_000],
        'exponential',
      );
      const fibonacci = retry.fibonacci({ initialDelay: 100, maxDelay: 10_000 });
      assert.deepEqual(
        [1, 2, 3, 4, 5].map((n) => at(fibonacci, n)),
        [100, 100, 200, 300, 500],
        'fibonacci',
      );
      const options = { initialDelay: 100, multiplier: 2, maxDelay: 1_000 };
      for (let i = 0; i < 20; i++) {
        const full = at(retry.fullJitter(options), 3, 200);
        assert.ok(full >= 0 && full <= 400, `fullJitter in [0, 400], got ${full}`);
        const equal = at(retry.equalJitter(options), 3, 200);
        assert.ok(equal >= 200 && equal <= 400, `equalJitter in [200, 400], got ${equal}`);
        const decorrelated = at(retry.decorrelatedJitter(options), 3, 200);
        assert.ok(
          decorrelated >= 100 && decorrelated <= 1_000,
          `decorrelatedJitter in [100, 1000], got ${decorrelated}`,
        );
      }
    });

    check('a RetryBudget shared by policies allows retries', async () => {
      const clock = new ManualClock();
      const budget = new RetryBudget({ ratio: 0.2, minRetriesPerSecond: 10, ttl: 10_000, clock });
      const policy = new RetryPolicy({ maxAttempts: 2, initialDelay: 10, budget, clock });
      let calls = 0;
      const call = track(
        policy.execute(() => {
          if (++calls === 1) throw new Error('once');
          return calls;
        }),
      );
      await clock.advance(10);
      assert.equal(await call, 2, 'attempts');
    });

    check('isTransientError and parseRetryAfter', () => {
      assert.equal(retry.isTransientError(new TimeoutError({ timeout: 100 })), true, 'TimeoutError is transient');
      assert.equal(retry.isTransientError(new RangeError('bad input')), false, 'RangeError is not transient');
      assert.equal(retry.parseRetryAfter('120'), 120_000, "parseRetryAfter('120')");
      const now = Date.parse('Wed, 21 Oct 2015 07:27:00 GMT');
      assert.equal(retry.parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', now), 60_000, 'an HTTP-date');
      assert.equal(retry.parseRetryAfter('Wed, 21 Oct 2015 07:26:00 GMT', now), 0, 'a past HTTP-date');
      assert.equal(retry.parseRetryAfter('soon'), undefined, 'an invalid value');
    });

    check('wrap() keeps the arguments; on() returns an unsubscribe function', async () => {
      const clock = new ManualClock();
      const policy = new RetryPolicy({ maxAttempts: 2, initialDelay: 10, clock });
      let events = 0;
      const off = policy.on('success', () => events++);
      const multiply = policy.wrap((a, b) => a * b);
      assert.equal(await multiply(6, 7), 42, 'wrapped call');
      off();
      await multiply(1, 1);
      assert.equal(events, 1, 'success events after unsubscribing');
    });

    check('options are validated with the documented message', () => {
      const error = assert.throws(() => new RetryPolicy({ maxAttempts: 0 }), 'maxAttempts: 0');
      assert.error(error, RangeError, 'RetryPolicy: maxAttempts must be an integer >= 1, got 0', 'maxAttempts: 0');
      const unknown = assert.throws(() => new RetryPolicy({ maxAtempts: 3 }), 'an unknown option');
      assert.ok(
        unknown instanceof TypeError || unknown instanceof RangeError,
        'an unknown option: TypeError or RangeError',
      );
      assert.ok(unknown.message.startsWith('RetryPolicy: '), `message names the class: ${unknown.message}`);
    });

    check('a short real backoff on systemClock (the default clock)', async () => {
      const policy = new RetryPolicy({ maxAttempts: 2, initialDelay: 20 });
      const start = systemClock.now();
      let calls = 0;
      const call = track(
        policy.execute(() => {
          if (++calls === 1) throw new Error('once');
          return systemClock.now() - start;
        }),
      );
      assert.ok(await isPending(call), 'pending during the backoff');
      const elapsed = await call;
      assert.ok(elapsed >= 20, `second attempt after ${elapsed} ms, at least 20 ms`);
    });
  },
};
