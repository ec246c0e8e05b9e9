import { RateLimiter } from '@cemaf/rate-limiter';

// The partner allows 10 calls a minute. Calls over that wait their turn instead of failing.
const limiter = new RateLimiter({ maxCalls: 10, timeWindow: 60_000 });

export async function getInvoice(id: string): Promise<unknown> {
  const response = await limiter.execute(({ signal }) => fetch(`https://partner.example.com/invoices/${id}`, { signal }));
  return response.json();
}
