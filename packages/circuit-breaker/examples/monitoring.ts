import type { CircuitBreaker } from '@cemaf/circuit-breaker';

export function monitor(name: string, breaker: CircuitBreaker, log: (line: string) => void): void {
  breaker.on('stateChange', ({ from, to }) => log(`${name}: ${from} -> ${to}`));
  breaker.on('failure', ({ error, duration }) => log(`${name}: failed after ${duration} ms: ${String(error)}`));
  breaker.on('reject', ({ error }) => log(`${name}: call turned away, next trial in ${error.retryAfter} ms`));
}

/** For a health endpoint. */
export function health(breaker: CircuitBreaker): { ok: boolean; retryAfter: number } {
  const { state, retryAfter } = breaker.stats();
  return { ok: state !== 'open', retryAfter };
}
