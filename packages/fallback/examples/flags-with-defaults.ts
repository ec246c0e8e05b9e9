import { CircuitBreaker } from '@cemaf/circuit-breaker';
import { FallbackPolicy, pipeline } from '@cemaf/fallback';
import { RetryPolicy } from '@cemaf/retry';
import { TimeoutPolicy } from '@cemaf/timeout';

export interface Flags {
  readonly newCheckout: boolean;
  readonly darkMode: boolean;
}

// Shared by every caller that falls back, so frozen.
const defaults: Flags = Object.freeze({ newCheckout: false, darkMode: false });

// The fallback outermost: only when the retries, the breaker and the deadlines have all failed
// do the defaults stand in. Each attempt gets 500 ms; a timeout is retried and counted.
const flags = pipeline(
  new FallbackPolicy({ fallback: defaults }),
  new RetryPolicy({ maxAttempts: 3, initialDelay: 100 }),
  new CircuitBreaker({ failureThreshold: 5, resetTimeout: 30_000 }),
  new TimeoutPolicy({ timeout: 500 }),
);

export function loadFlags(userId: string): Promise<Flags> {
  return flags.execute(async ({ signal }) => {
    const response = await fetch(`https://flags.example.com/users/${userId}`, { signal });
    if (!response.ok) throw new Error(`flags: HTTP ${response.status}`);
    return (await response.json()) as Flags;
  });
}
