import { CircuitBreaker } from '@cemaf/circuit-breaker';

export class HttpError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
    this.name = 'HttpError';
  }
}

// A 404 or a 422 says that the request was wrong, not that the service is down: such errors
// still reach the caller, but count neither as failures nor as successes.
export const orders = new CircuitBreaker({
  failureThreshold: 3,
  isFailure: (error) => !(error instanceof HttpError && error.status < 500),
});

export function getOrder(id: string): Promise<unknown> {
  return orders.execute(async ({ signal }) => {
    const response = await fetch(`https://orders.example.com/orders/${id}`, { signal });
    if (!response.ok) throw new HttpError(response.status);
    return (await response.json()) as unknown;
  });
}
