// @cemaf/all: the same classes as the single packages, and the method decorators.
import { assert, track } from './harness.js';

/** The context a TC39 method decorator receives, for calling one without decorator syntax. */
function methodContext(name) {
  return {
    kind: 'method',
    name,
    static: false,
    private: false,
    access: { has: (object) => name in object, get: (object) => object[name] },
    metadata: {},
    addInitializer() {},
  };
}

/** Applies `decorator` to `method` as `@decorator` on a class method would. */
function decorate(decorator, method, name = 'load') {
  const replaced = decorator(method, methodContext(name));
  return replaced === undefined ? method : replaced;
}

export default {
  packages: [
    '@cemaf/all',
    '@cemaf/core',
    '@cemaf/retry',
    '@cemaf/circuit-breaker',
    '@cemaf/rate-limiter',
    '@cemaf/timeout',
    '@cemaf/fallback',
  ],
  checks(packages, check) {
    const all = packages['@cemaf/all'];

    check('re-exports every public symbol of the runtime packages, the same objects', () => {
      for (const name of [
        '@cemaf/core',
        '@cemaf/retry',
        '@cemaf/circuit-breaker',
        '@cemaf/rate-limiter',
        '@cemaf/timeout',
        '@cemaf/fallback',
      ]) {
        for (const [symbol, value] of Object.entries(packages[name])) {
          assert.equal(all[symbol], value, `${symbol} from ${name}`);
        }
      }
    });

    check('the seed examples through @cemaf/all', async () => {
      const clock = new all.ManualClock();
      const retry = new all.RetryPolicy({ maxAttempts: 3, backoff: 'exponential', initialDelay: 1_000, clock });
      const breaker = new all.CircuitBreaker({ failureThreshold: 5, resetTimeout: 60_000, clock });
      const limiter = new all.RateLimiter({ maxCalls: 10, timeWindow: 60_000, clock });
      let calls = 0;
      const call = all.pipeline(retry, breaker, limiter).execute(() => {
        if (++calls < 3) throw new Error('flaky');
        return clock.now();
      });
      await clock.advance(3_000);
      assert.equal(await call, 3_000, 'third attempt after 1 000 + 2 000 ms');
    });

    check('method decorators: withRetry, withCircuitBreaker, withRateLimit, withTimeout, withFallback', async () => {
      for (const name of ['withRetry', 'withCircuitBreaker', 'withRateLimit', 'withTimeout', 'withFallback']) {
        assert.equal(typeof all[name], 'function', `typeof ${name}`);
      }
      const clock = new all.ManualClock();
      const service = { base: 40, calls: 0 };
      const flaky = decorate(all.withRetry({ maxAttempts: 2, initialDelay: 10, clock }), function (extra) {
        if (++this.calls === 1) throw new Error('flaky');
        return this.base + extra;
      });
      const retried = track(flaky.call(service, 2));
      await clock.advance(10);
      assert.equal(await retried, 42, 'withRetry keeps this and the arguments');
      assert.equal(service.calls, 2, 'attempts');

      const guarded = decorate(all.withCircuitBreaker({ failureThreshold: 1, clock }), () =>
        Promise.reject(new Error('down')),
      );
      await assert.rejects(guarded(), 'first call');
      assert.equal((await assert.rejects(guarded(), 'second call')).code, 'CIRCUIT_OPEN', 'withCircuitBreaker opens');

      const limited = decorate(all.withRateLimit({ maxCalls: 1, timeWindow: 1_000, maxWait: 0, clock }), () => 'ok');
      assert.equal(await limited(), 'ok', 'first limited call');
      assert.equal(
        (await assert.rejects(limited(), 'second limited call')).code,
        'RATE_LIMITED',
        'withRateLimit rejects',
      );

      const slow = decorate(all.withTimeout({ timeout: 50, clock }), () => new Promise(() => undefined));
      const timedOut = track(slow());
      await clock.advance(50);
      assert.equal((await assert.rejects(timedOut, 'slow call')).code, 'TIMEOUT', 'withTimeout');

      const withList = decorate(all.withFallback([]), () => Promise.reject(new Error('down')));
      assert.deepEqual(await withList(), [], 'withFallback(value)');
      const withOptions = decorate(all.withFallback({ fallback: 'default' }), () => Promise.reject(new Error('down')));
      assert.equal(await withOptions(), 'default', 'withFallback(options)');
      const policy = new all.RetryPolicy({ maxAttempts: 1, clock });
      const shared = decorate(all.withRetry(policy), () => 'through an instance');
      assert.equal(await shared(), 'through an instance', 'withRetry(policy)');
    });
  },
};
