import { withCircuitBreaker, withFallback, withRateLimit, withRetry, withTimeout } from '@cemaf/all';

export interface Price {
  readonly sku: string;
  readonly cents: number;
}

export class PriceService {
  constructor(private readonly baseUrl: string) {}

  // The top decorator is the outermost, as the first policy of pipeline() is. Each builds its
  // policy once for this method, shared by every PriceService.
  @withFallback([] as Price[]) // replaces what is left of a failure
  @withRetry({ maxAttempts: 3, initialDelay: 200 }) // retries each failure below it
  @withCircuitBreaker({ failureThreshold: 5, resetTimeout: 30_000 })
  @withRateLimit({ maxCalls: 10, timeWindow: 1_000 })
  @withTimeout(2_000) // innermost: a deadline per attempt
  async list(category: string): Promise<Price[]> {
    const response = await fetch(`${this.baseUrl}/prices/${category}`);
    if (!response.ok) throw new Error(`prices: HTTP ${response.status}`);
    return (await response.json()) as Price[];
  }
}
