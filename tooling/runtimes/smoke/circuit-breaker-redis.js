// @cemaf/circuit-breaker-redis without a server: it loads everywhere, and while the store fails
// or never answers, each process protects itself with a local breaker of the same options.
// Talking to a real Redis is its own suite's job.
import { assert, track } from './harness.js';

const down = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
const failingStore = { evalsha: down, eval: down };
const silentStore = { evalsha: () => new Promise(() => undefined), eval: () => new Promise(() => undefined) };

export default {
  packages: ['@cemaf/circuit-breaker-redis', '@cemaf/circuit-breaker', '@cemaf/core'],
  checks(packages, check) {
    const redis = packages['@cemaf/circuit-breaker-redis'];
    const { RedisCircuitBreaker } = redis;
    const { ManualClock, CircuitOpenError } = packages['@cemaf/core'];

    check('exports its public API', () => {
      for (const name of ['RedisCircuitBreaker', 'toRedisAdapter']) assert.equal(typeof redis[name], 'function', `typeof ${name}`);
      assert.equal(redis.CircuitOpenError, CircuitOpenError, 'CircuitOpenError is core’s class');
    });

    check('refuses bad options, naming them', () => {
      const refused = assert.throws(() => new RedisCircuitBreaker({ redis: failingStore, name: '' }), 'an empty name');
      assert.error(refused, RangeError, 'RedisCircuitBreaker: name must be a non-empty string without { or }, got ""', 'an empty name');
    });

    check('a failing store: the seed example decided by the local breaker, said by a fallback event', async () => {
      const clock = new ManualClock();
      const breaker = new RedisCircuitBreaker({ redis: failingStore, name: 'seed', failureThreshold: 5, resetTimeout: 60_000, clock });
      const events = [];
      breaker.on('fallback', () => events.push('fallback'));
      breaker.on('stateChange', ({ from, to }) => events.push(`${from}->${to}`));
      let calls = 0;
      const fail = () => {
        calls++;
        throw new Error('service down');
      };
      for (let index = 0; index < 5; index++) await breaker.execute(fail).catch(() => undefined);
      const refused = await assert.rejects(breaker.execute(fail), 'call while open');
      assert.error(refused, CircuitOpenError, undefined, 'call while open');
      assert.equal(refused.retryAfter, 60_000, 'retryAfter');
      assert.equal(calls, 5, 'fn calls');
      assert.deepEqual(events, ['fallback', 'closed->open'], 'events');
      assert.equal(breaker.stats().mode, 'local', 'mode');
      await clock.advance(60_000);
      assert.equal(await breaker.execute(() => 'back'), 'back', 'trial call');
      assert.equal(breaker.state, 'closed', 'state after the trial');
      await breaker.close();
    });

    check('a store that never answers is given up after storeTimeout (real time)', async () => {
      const breaker = new RedisCircuitBreaker({ redis: silentStore, name: 'silent', storeTimeout: 20 });
      const call = track(breaker.execute(() => 'ran without Redis'));
      assert.equal(await call, 'ran without Redis', 'result after storeTimeout');
      assert.equal(breaker.stats().mode, 'local', 'mode');
      await breaker.close();
    });
  },
};
