import { CircuitBreaker } from '@cemaf/circuit-breaker';
import { RetryPolicy } from '@cemaf/retry';
import { TimeoutPolicy, pipeline } from '@cemaf/timeout';

// A 2 s deadline per attempt, inside the breaker: a hung call fails at its deadline, the breaker
// counts it, and a half-open trial that hangs cannot hold the trial slot. The retry outside
// tries again after 200 ms, then 400 ms.
const inventory = pipeline(
  new RetryPolicy({ maxAttempts: 3, initialDelay: 200 }),
  new CircuitBreaker({ failureThreshold: 5, resetTimeout: 30_000 }),
  new TimeoutPolicy({ timeout: 2_000 }),
);

export function stockLevel(sku: string): Promise<number> {
  return inventory.execute(async ({ signal }) => {
    const response = await fetch(`https://inventory.example.com/stock/${sku}`, { signal });
    if (!response.ok) throw new Error(`inventory: HTTP ${response.status}`);
    return ((await response.json()) as { level: number }).level;
  });
}
