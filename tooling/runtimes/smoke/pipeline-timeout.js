// pipeline(fallback, retry, breaker, timeout): a timeout is an ordinary failure inside a pipeline.
import { assert, track } from './harness.js';

export default {
  packages: ['@cemaf/core', '@cemaf/retry', '@cemaf/circuit-breaker', '@cemaf/timeout', '@cemaf/fallback'],
  checks(packages, check) {
    const { ManualClock, pipeline, TimeoutError } = packages['@cemaf/core'];
    const { RetryPolicy } = packages['@cemaf/retry'];
    const { CircuitBreaker } = packages['@cemaf/circuit-breaker'];
    const { TimeoutPolicy } = packages['@cemaf/timeout'];
    const { FallbackPolicy } = packages['@cemaf/fallback'];

    check('timeouts are retried and counted by the breaker; the fallback answers last', async () => {
      const clock = new ManualClock();
      const breaker = new CircuitBreaker({ failureThreshold: 5, resetTimeout: 60_000, clock });
      const failures = [];
      breaker.on('failure', (payload) => failures.push(payload));
      const errors = [];
      const resilient = pipeline(
        new FallbackPolicy({
          fallback: (error) => {
            errors.push(error);
            return 'stale';
          },
        }),
        new RetryPolicy({ maxAttempts: 2, initialDelay: 100, clock }),
        breaker,
        new TimeoutPolicy({ timeout: 1_000, clock }),
      );
      const signals = [];
      const call = track(
        resilient.execute((ctx) => {
          signals.push(ctx.signal);
          return new Promise(() => undefined);
        }),
      );
      await clock.advance(2_100);
      assert.equal(await call, 'stale', 'result');
      assert.equal(signals.length, 2, 'attempts');
      assert.ok(
        signals.every((signal) => signal.aborted),
        'every attempt saw its signal abort',
      );
      assert.error(errors[0], TimeoutError, undefined, 'the error the fallback got');
      assert.equal(failures.length, 2, 'breaker failure events');
      assert.equal(clock.pendingSleeps, 0, 'pendingSleeps');
    });
  },
};
