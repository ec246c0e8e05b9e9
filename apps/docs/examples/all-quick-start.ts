import { CircuitBreaker, RateLimiter, RetryPolicy, pipeline } from '@cemaf/all';

// Every policy from one package. A bundle keeps only what is imported: this file pulls in
// the retry, the breaker and the limiter, not the timeout or the fallback.
const partnerApi = pipeline(
  new RetryPolicy({ maxAttempts: 3, initialDelay: 500 }),
  new CircuitBreaker({ failureThreshold: 5, resetTimeout: 60_000 }),
  new RateLimiter({ maxCalls: 10, timeWindow: 1_000 }),
);

export async function getOrder(id: string): Promise<unknown> {
  const response = await partnerApi.execute(({ signal }) => fetch(`https://partner.example.com/orders/${id}`, { signal }));
  if (!response.ok) throw new Error(`orders: HTTP ${response.status}`);
  return response.json();
}
