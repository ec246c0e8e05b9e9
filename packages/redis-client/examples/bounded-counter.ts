import { TimeoutError } from '@cemaf/core';
import { createScriptRunner, StoreDeadline, toRedisAdapter, type RedisClient } from '@cemaf/redis-client';

/** A script and its SHA1 (scripts/embed-lua.mjs writes these from a .lua file). */
const increment = { lua: "return redis.call('INCR', KEYS[1])", sha: '61636018f4e6b5817b89791bbed242f93fa089e3' };

/**
 * A counter in Redis on cemaf's plumbing: any ioredis or node-redis client or cluster, one
 * EVALSHA per call (EVAL once when the server lacks the script), and no call waiting longer than
 * 500 ms, even while the client is reconnecting and queuing commands.
 */
export function counter(client: RedisClient): (key: string) => Promise<number> {
  const run = createScriptRunner(toRedisAdapter(client, 'counter'), increment);
  const deadline = new StoreDeadline(500, () => new TimeoutError({ timeout: 500 }, 'Redis did not answer within 500 ms'));
  return async (key) => Number(await deadline.watch(run([key], [])));
}
