import { CircuitBreaker, type Clock } from '@cemaf/circuit-breaker';

export class HttpError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
    this.name = 'HttpError';
  }
}

export function ordersBreaker(log: (line: string) => void, clock?: Clock): CircuitBreaker {
  const breaker = new CircuitBreaker({
    failureThreshold: 3,
    resetTimeout: 10_000,
    // A 404 or a 422 says the request was wrong, not that the service is down: such errors
    // still reach the caller, but count neither as failures nor as successes.
    isFailure: (error) => !(error instanceof HttpError && error.status < 500),
    clock,
  });
  breaker.on('stateChange', ({ from, to }) => log(`orders: ${from} -> ${to}`));
  breaker.on('failure', ({ error }) => log(`orders: failed: ${String(error)}`));
  breaker.on('reject', ({ error }) => log(`orders: turned away, next trial in ${error.retryAfter} ms`));
  return breaker;
}

/** For a health endpoint. */
export function health(breaker: CircuitBreaker): { ok: boolean; retryAfter: number } {
  const { state, retryAfter } = breaker.stats();
  return { ok: state !== 'open', retryAfter };
}
