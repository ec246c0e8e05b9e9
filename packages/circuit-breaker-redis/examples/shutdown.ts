import type { Redis } from 'ioredis';
import { RedisCircuitBreaker } from '@cemaf/circuit-breaker-redis';

/**
 * A worker that drains its queue and then stops: `await using` closes the breaker when the block
 * ends, however it ends. close() reports the outcomes not reported yet, gives back a trial slot
 * or an isolation this process holds, and ends the breaker's pub/sub connection; the client
 * stays open for the rest of the program.
 */
export async function drain(redis: Redis, jobs: AsyncIterable<() => Promise<void>>): Promise<number> {
  await using breaker = new RedisCircuitBreaker({ redis, name: 'mailer', failureThreshold: 3 });
  let sent = 0;
  for await (const job of jobs) {
    await breaker.execute(job);
    sent++;
  }
  return sent;
}
