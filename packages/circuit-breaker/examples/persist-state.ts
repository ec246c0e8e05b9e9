import { CircuitBreaker, type CircuitBreakerSnapshot } from '@cemaf/circuit-breaker';

/** Any key-value store: Redis, a KV namespace on an edge platform, a file. */
export interface Store {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

// A short-lived process (a serverless function, a worker restarted by a deploy) starts where
// the last one left off: an open circuit stays open for the time it had left.
export async function paymentsBreaker(store: Store): Promise<CircuitBreaker> {
  const saved = await store.get('breaker:payments');
  const breaker = new CircuitBreaker({
    failureThreshold: 3,
    resetTimeout: 60_000,
    initialState: saved === undefined ? undefined : (JSON.parse(saved) as CircuitBreakerSnapshot),
  });
  // A rejected promise from a listener is reported with console.error, never thrown.
  breaker.on('stateChange', () => store.set('breaker:payments', JSON.stringify(breaker)));
  return breaker;
}
