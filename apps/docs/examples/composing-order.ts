// Why pipeline(retry, breaker, limiter)? The same four calls to a service that is down, through
// the same three real policies in three orders, counting what the service, the breaker and the
// limiter each saw.
import { CircuitBreaker } from '@cemaf/circuit-breaker';
import { pipeline, type Policy } from '@cemaf/core';
import { RateLimiter } from '@cemaf/rate-limiter';
import { RetryPolicy } from '@cemaf/retry';

type Order = 'retry, breaker, limiter' | 'breaker, limiter, retry' | 'retry, limiter, breaker';

async function fourCallsWhileDown(order: Order) {
  const retry = new RetryPolicy({ maxAttempts: 3, initialDelay: 10 });
  const breaker = new CircuitBreaker({ failureThreshold: 5, resetTimeout: 60_000 });
  const limiter = new RateLimiter({ maxCalls: 100, timeWindow: 1_000 });
  const counts = { serviceCalls: 0, permits: 0, breakerFailures: 0, turnedAway: 0, breakerOpened: false };
  limiter.on('acquire', () => counts.permits++);
  breaker.on('failure', () => counts.breakerFailures++);
  breaker.on('reject', () => counts.turnedAway++);
  breaker.on('stateChange', ({ to }) => (counts.breakerOpened ||= to === 'open'));

  const byName: Record<string, Policy> = { retry, breaker, limiter };
  const resilient = pipeline(...order.split(', ').map((name) => byName[name]!));
  for (let call = 0; call < 4; call++) {
    await resilient
      .execute(() => {
        counts.serviceCalls++;
        throw new Error('503 Service Unavailable');
      })
      .catch(() => undefined);
  }
  return counts;
}

export const results = {
  // Each attempt passes the breaker, which counts it, and the limiter, which spends a permit.
  // The 5th failure opens the circuit; from then on attempts are turned away before the
  // limiter, and the retry gives up at once on a CircuitOpenError whose retryAfter (60 s) is
  // beyond its maxDelay (30 s).
  recommended: await fourCallsWhileDown('retry, breaker, limiter'),
  // { serviceCalls: 5, permits: 5, breakerFailures: 5, turnedAway: 3, breakerOpened: true }

  // The retry inside: 12 calls reach the service for 4 permits, and the breaker sees 4
  // failures where there were 12, so it never opens.
  retryInnermost: await fourCallsWhileDown('breaker, limiter, retry'),
  // { serviceCalls: 12, permits: 4, breakerFailures: 4, turnedAway: 0, breakerOpened: false }

  // The limiter outside the breaker: attempts that the open circuit turns away still spend
  // permits that calls to a healthy service could have used.
  limiterOutside: await fourCallsWhileDown('retry, limiter, breaker'),
  // { serviceCalls: 5, permits: 8, breakerFailures: 5, turnedAway: 3, breakerOpened: true }
};
