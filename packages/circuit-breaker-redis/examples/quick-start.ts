import { Redis } from 'ioredis';
import { RedisCircuitBreaker } from '@cemaf/circuit-breaker-redis';

export const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

// Every process that uses this Redis shares the 'payments' circuit: 5 failures in a row, in any
// of them, and all of them stop calling the provider for 60 s.
export const payments = new RedisCircuitBreaker({ redis, name: 'payments', failureThreshold: 5, resetTimeout: 60_000 });

export function charge(orderId: string, cents: number): Promise<unknown> {
  return payments.execute(async ({ signal }) => {
    const response = await fetch('https://payments.example.com/charges', {
      method: 'POST',
      body: JSON.stringify({ orderId, cents }),
      signal,
    });
    // Inside the breaker: a 5xx counts as a failure.
    if (!response.ok) throw new Error(`payments answered ${response.status}`);
    return (await response.json()) as unknown;
  });
}
