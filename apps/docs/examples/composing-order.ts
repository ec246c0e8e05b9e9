// Why pipeline(retry, breaker, limiter)? Three stand-ins small enough to read at a glance count
// what each order does: a retry of 3 attempts without waits, a breaker that is either closed
// (counting failures) or open (rejecting), and a limiter that counts the permits it grants.
import { CircuitOpenError, pipeline, type ExecuteOptions, type Policy, type Task } from '@cemaf/core';

const context = (options: ExecuteOptions | undefined, attempt: number) => ({
  signal: options?.signal ?? new AbortController().signal,
  attempt,
});

class Retry implements Policy {
  constructor(readonly attempts: number) {}
  async execute<T>(fn: Task<T>, options?: ExecuteOptions): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn(context(options, attempt));
      } catch (error) {
        if (attempt === this.attempts) throw error;
      }
    }
  }
}

class Breaker implements Policy {
  failures = 0;
  rejected = 0;
  constructor(readonly open: boolean) {}
  async execute<T>(fn: Task<T>, options?: ExecuteOptions): Promise<T> {
    if (this.open) {
      this.rejected++;
      throw new CircuitOpenError({ retryAfter: 30_000 });
    }
    try {
      return await fn(context(options, options?.attempt ?? 1));
    } catch (error) {
      this.failures++;
      throw error;
    }
  }
}

class Limiter implements Policy {
  permits = 0;
  async execute<T>(fn: Task<T>, options?: ExecuteOptions): Promise<T> {
    this.permits++;
    return fn(context(options, options?.attempt ?? 1));
  }
}

/** One call to a service that is down, through the three policies in the given order. */
async function oneCall(order: 'retry, breaker, limiter' | 'breaker, limiter, retry' | 'retry, limiter, breaker', open: boolean) {
  const retry = new Retry(3);
  const breaker = new Breaker(open);
  const limiter = new Limiter();
  const byName = { retry, breaker, limiter };
  let serviceCalls = 0;
  const policies = order.split(', ').map((name) => byName[name as keyof typeof byName]);
  await pipeline(...policies)
    .execute(() => {
      serviceCalls++;
      throw new Error('503 Service Unavailable');
    })
    .catch(() => undefined);
  return { serviceCalls, permits: limiter.permits, breakerFailures: breaker.failures, breakerRejected: breaker.rejected };
}

// The service fails and the breaker is still closed.
export const failing = {
  // Each attempt passes the breaker (which counts it) and the limiter (which spends a permit).
  recommended: await oneCall('retry, breaker, limiter', false),
  // { serviceCalls: 3, permits: 3, breakerFailures: 3, breakerRejected: 0 }

  // Retrying inside the limiter sends 3 calls to the service for 1 permit, and the breaker sees
  // 1 failure where there were 3, so it opens 3 times later than configured.
  retryInnermost: await oneCall('breaker, limiter, retry', false),
  // { serviceCalls: 3, permits: 1, breakerFailures: 1, breakerRejected: 0 }
};

// The breaker is open.
export const open = {
  // It rejects each attempt before the limiter: no permit is spent on a call that is not made.
  recommended: await oneCall('retry, breaker, limiter', true),
  // { serviceCalls: 0, permits: 0, breakerFailures: 0, breakerRejected: 3 }

  // With the limiter outside the breaker, every rejected attempt still spends a permit that a
  // call to a healthy service could have used.
  limiterFirst: await oneCall('retry, limiter, breaker', true),
  // { serviceCalls: 0, permits: 3, breakerFailures: 0, breakerRejected: 3 }
};
