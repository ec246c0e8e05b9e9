import { CircuitBreaker } from '@cemaf/circuit-breaker';

// Judge the service on its last 20 calls, once 10 are in: open when half of them failed, or
// when 80% took longer than 2 s. Stay open 5 s the first time, then 10 s, 20 s... up to a minute
// while it keeps failing its trial calls.
export const search = new CircuitBreaker({
  window: { type: 'count', size: 20, minimumCalls: 10, failureRate: 0.5, slowCallDuration: 2_000, slowCallRate: 0.8 },
  resetTimeout: (timesOpenedInARow) => Math.min(5_000 * 2 ** (timesOpenedInARow - 1), 60_000),
});
