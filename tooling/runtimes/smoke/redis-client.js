// @cemaf/redis-client without a server: the adapter check, the script runner (EVALSHA, then EVAL
// once on NOSCRIPT) and the store deadline, against fake stores. Talking to a real Redis is its
// own suite's job.
import { assert } from './harness.js';

const script = { lua: 'return 1', sha: 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db' };

export default {
  packages: ['@cemaf/redis-client', '@cemaf/core'],
  checks(packages, check) {
    const plumbing = packages['@cemaf/redis-client'];
    const { toRedisAdapter, createScriptRunner, StoreDeadline } = plumbing;
    const { ManualClock } = packages['@cemaf/core'];

    check('exports its public API', () => {
      for (const name of ['toRedisAdapter', 'createScriptRunner', 'StoreDeadline']) {
        assert.equal(typeof plumbing[name], 'function', `typeof ${name}`);
      }
    });

    check('toRedisAdapter takes an adapter as it is and refuses anything else', () => {
      const adapter = { evalsha: () => Promise.resolve(1), eval: () => Promise.resolve(1) };
      assert.equal(toRedisAdapter(adapter), adapter, 'an adapter');
      const refused = assert.throws(() => toRedisAdapter({ get() {} }, 'Owner'), 'an object without evalsha');
      assert.error(
        refused,
        TypeError,
        'Owner: redis must be an ioredis or node-redis client or cluster, or a RedisClientAdapter (evalsha() and eval()), got an object',
        'an object without evalsha',
      );
    });

    check('createScriptRunner sends EVALSHA, and EVAL once when the server lacks the script', async () => {
      const sent = [];
      const store = {
        evalsha: (sha, keys, args) => {
          sent.push(['evalsha', sha, keys, args]);
          return Promise.reject(new Error('NOSCRIPT No matching script. Please use EVAL.'));
        },
        eval: (lua, keys, args) => {
          sent.push(['eval', lua, keys, args]);
          return Promise.resolve('ran');
        },
      };
      assert.equal(await createScriptRunner(store, script)(['k'], [1]), 'ran', 'reply');
      assert.deepEqual(
        sent,
        [
          ['evalsha', script.sha, ['k'], [1]],
          ['eval', script.lua, ['k'], [1]],
        ],
        'commands sent',
      );
    });

    check('StoreDeadline rejects a call that does not answer in time, and leaves no timer', async () => {
      const clock = new ManualClock();
      const deadline = new StoreDeadline(100, () => new Error('late'), clock);
      const late = deadline.watch(new Promise(() => undefined));
      assert.equal(await deadline.watch(Promise.resolve('on time')), 'on time', 'a call that answers');
      const seen = late.then(
        () => 'resolved',
        (error) => error.message,
      );
      await clock.advance(100);
      assert.equal(await seen, 'late', 'a call that does not answer');
      assert.equal(deadline.inFlight, 0, 'calls in flight');
      assert.equal(clock.pendingSleeps, 0, 'timers left');
    });
  },
};
