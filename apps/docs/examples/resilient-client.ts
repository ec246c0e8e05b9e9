import { CircuitBreaker } from '@cemaf/circuit-breaker';
import { pipeline, type Clock } from '@cemaf/core';
import { FallbackPolicy } from '@cemaf/fallback';
import { RateLimiter } from '@cemaf/rate-limiter';
import { RetryPolicy } from '@cemaf/retry';
import { TimeoutPolicy } from '@cemaf/timeout';

export interface Quote {
  readonly symbol: string;
  readonly price: number;
}

export type FetchQuote = (symbol: string, signal: AbortSignal) => Promise<Quote>;

/**
 * Every call to the quotes API goes through the five policies, the first one outermost. Build
 * the client once per dependency: its breaker and its limiter must see every call to it.
 */
export function createQuotesClient(fetchQuote: FetchQuote, clock?: Clock) {
  const resilient = pipeline(
    // Outermost: answers null once everything inside has given up.
    new FallbackPolicy({ fallback: null }),
    // Each attempt goes through everything below: counted, limited, and given its own deadline.
    new RetryPolicy({ maxAttempts: 3, initialDelay: 200, clock }),
    // Counts every failed attempt; while open, turns attempts away before they spend a permit.
    new CircuitBreaker({ failureThreshold: 5, resetTimeout: 30_000, clock }),
    // A permit for each attempt that is really made.
    new RateLimiter({ maxCalls: 20, timeWindow: 1_000, maxWait: 1_000, clock }),
    // Innermost: a deadline per attempt, which does not count the wait for a permit.
    new TimeoutPolicy({ timeout: 2_000, clock }),
  );
  return (symbol: string): Promise<Quote | null> => resilient.execute<Quote | null>(({ signal }) => fetchQuote(symbol, signal));
}
