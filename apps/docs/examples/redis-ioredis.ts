import { Redis } from 'ioredis';
import { RedisRateLimiter } from '@cemaf/rate-limiter-redis';

// One connection per process, shared by every limiter; a limiter never closes it.
export const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

// The partner allows 10 calls a second from all our servers together. Every process that uses
// this Redis and this prefix shares the budget; calls over it wait their turn.
const partner = new RedisRateLimiter({ redis, prefix: 'partner-api:', maxCalls: 10, timeWindow: 1_000 });

export async function getInvoice(id: string): Promise<unknown> {
  const response = await partner.execute(({ signal }) => fetch(`https://partner.example.com/invoices/${id}`, { signal }));
  return response.json();
}
