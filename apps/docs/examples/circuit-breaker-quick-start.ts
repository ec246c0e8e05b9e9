import { CircuitBreaker } from '@cemaf/circuit-breaker';

export interface Rate {
  readonly currency: string;
  readonly rate: number;
}

// One breaker per dependency, shared by every call to it. After 5 failures in a row, calls
// fail at once for 30 s instead of piling up on a service that is down; then a trial call
// goes through, and its success closes the circuit again.
const rates = new CircuitBreaker({ failureThreshold: 5, resetTimeout: 30_000 });

/** The exchange rate, or undefined while the rates service is known to be down. */
export async function exchangeRate(currency: string): Promise<Rate | undefined> {
  try {
    return await rates.execute(async ({ signal }) => {
      const response = await fetch(`https://rates.example.com/latest/${currency}`, { signal });
      if (!response.ok) throw new Error(`rates: HTTP ${response.status}`);
      return (await response.json()) as Rate;
    });
  } catch (error) {
    // Turned away by the breaker: no request was made. Checking the code rather than
    // instanceof also works when two copies of the package end up installed.
    if ((error as { code?: unknown }).code === 'CIRCUIT_OPEN') return undefined;
    throw error;
  }
}
