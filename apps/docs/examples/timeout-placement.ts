import { RetryPolicy } from '@cemaf/retry';
import { pipeline, TimeoutPolicy, type Clock } from '@cemaf/timeout';

// Where the timeout goes decides what it bounds.
export function searchClients(clock?: Clock) {
  const retry = new RetryPolicy({ maxAttempts: 3, initialDelay: 100, clock });
  return {
    // 500 ms per attempt: a slow attempt is a failure like any other, and is retried.
    perAttempt: pipeline(retry, new TimeoutPolicy({ timeout: 500, clock })),
    // 1 s for everything: the attempts and the waits between them.
    overall: pipeline(new TimeoutPolicy({ timeout: 1_000, clock }), retry),
  };
}
