// pipeline(retry, breaker, limiter) from @cemaf/core over the three seed policies.
import { assert, track } from './harness.js';

export default {
  packages: ['@cemaf/core', '@cemaf/retry', '@cemaf/circuit-breaker', '@cemaf/rate-limiter'],
  checks(packages, check) {
    const { ManualClock, pipeline, CircuitOpenError } = packages['@cemaf/core'];
    const { RetryPolicy } = packages['@cemaf/retry'];
    const { CircuitBreaker } = packages['@cemaf/circuit-breaker'];
    const { RateLimiter } = packages['@cemaf/rate-limiter'];

    const seedPolicies = (clock) => ({
      retry: new RetryPolicy({ maxAttempts: 3, backoff: 'exponential', initialDelay: 1_000, clock }),
      breaker: new CircuitBreaker({ failureThreshold: 5, resetTimeout: 60_000, clock }),
      limiter: new RateLimiter({ maxCalls: 10, timeWindow: 60_000, clock }),
    });

    check('pipeline(retry, breaker, limiter): retries through, with attempt and key passed on', async () => {
      const clock = new ManualClock();
      const { retry, breaker, limiter } = seedPolicies(clock);
      const resilient = pipeline(retry, breaker, limiter);
      const attempts = [];
      const call = track(
        resilient.execute(
          (ctx) => {
            attempts.push(ctx.attempt);
            if (ctx.attempt === 1) throw new Error('flaky');
            return 'ok';
          },
          { key: 'user-1' },
        ),
      );
      await clock.advance(1_000);
      assert.equal(await call, 'ok', 'result');
      assert.deepEqual(attempts, [1, 2], 'ctx.attempt seen by fn');
      assert.equal(limiter.tryAcquire({ key: 'user-1', cost: 0 }).remaining, 8, "permits spent on the caller's key");
      assert.equal(limiter.tryAcquire({ cost: 0 }).remaining, 10, 'permits of the default key');
      assert.equal(breaker.state, 'closed', 'breaker state');
    });

    check('an open breaker ends the retries at once: its retryAfter is beyond maxDelay', async () => {
      const clock = new ManualClock();
      const retry = new RetryPolicy({ maxAttempts: 5, initialDelay: 1_000, clock });
      const breaker = new CircuitBreaker({ failureThreshold: 1, resetTimeout: 60_000, clock });
      const limiter = new RateLimiter({ maxCalls: 10, timeWindow: 60_000, clock });
      let calls = 0;
      const call = track(
        pipeline(retry, breaker, limiter).execute(() => {
          calls++;
          throw new Error('down');
        }),
      );
      await clock.advance(1_000);
      const error = await assert.rejects(call, 'the call');
      assert.error(error, CircuitOpenError, undefined, 'the call');
      assert.equal(error.retryAfter, 59_000, 'retryAfter');
      assert.equal(calls, 1, 'fn calls');
      assert.equal(clock.pendingSleeps, 0, 'pendingSleeps');
    });

    check('an abort goes through the pipeline with signal.reason', async () => {
      const clock = new ManualClock();
      const { retry, breaker, limiter } = seedPolicies(clock);
      const controller = new AbortController();
      const reason = new Error('cancelled');
      let calls = 0;
      const call = track(
        pipeline(retry, breaker, limiter).execute(
          () => {
            calls++;
            throw new Error('down');
          },
          { signal: controller.signal },
        ),
      );
      await clock.advance(0);
      controller.abort(reason);
      assert.equal(await assert.rejects(call, 'the call'), reason, 'rejection is signal.reason');
      await clock.advance(10_000);
      assert.equal(calls, 1, 'fn calls');
      assert.equal(breaker.state, 'closed', 'breaker state');
    });
  },
};
