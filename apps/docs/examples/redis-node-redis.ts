import { createClient } from 'redis';
import { RedisRateLimiter } from '@cemaf/rate-limiter-redis';

export const redis = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
redis.on('error', (error) => console.error('redis', error));
await redis.connect();

// Each tenant may write 1 000 rows a second, over all processes; a batch costs one permit per
// row. A batch that would wait longer than 2 s is refused at once with RateLimitExceededError.
const rows = new RedisRateLimiter({ redis, prefix: 'rows:', maxCalls: 1_000, timeWindow: 1_000, maxWait: 2_000 });

export function insertRows(
  tenant: string,
  batch: readonly object[],
  write: (batch: readonly object[], signal: AbortSignal) => Promise<void>,
): Promise<void> {
  return rows.execute((ctx) => write(batch, ctx.signal), { key: tenant, cost: batch.length });
}
