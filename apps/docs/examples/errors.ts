import { CircuitOpenError, RateLimitExceededError, TimeoutError } from '@cemaf/core';

/** What to tell a user when a protected call fails. */
export function explain(error: unknown): string {
  // `code` works even when two copies of @cemaf/core are installed; `instanceof` may not.
  const failure = error as { code?: string; retryAfter?: number; timeout?: number } | undefined;
  switch (failure?.code) {
    case 'CIRCUIT_OPEN':
      return `The service is down; try again in ${failure.retryAfter} ms.`;
    case 'RATE_LIMITED':
      return `Too many requests; try again in ${failure.retryAfter} ms.`;
    case 'TIMEOUT':
      return `No answer within ${failure.timeout} ms.`;
    default:
      return 'Something went wrong.';
  }
}

export const messages = [
  new CircuitOpenError({ retryAfter: 30_000 }),
  new RateLimitExceededError({ retryAfter: 250 }),
  new TimeoutError({ timeout: 2_000 }),
  new Error('connection reset'),
].map(explain);
// ['The service is down; try again in 30000 ms.', 'Too many requests; try again in 250 ms.',
//  'No answer within 2000 ms.', 'Something went wrong.']
