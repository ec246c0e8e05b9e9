import type { CircuitBreaker } from '@cemaf/circuit-breaker';

// While the database is migrated, its callers fail at once with CircuitOpenError
// (isolated: true, retryAfter: Infinity) instead of queuing on locked tables. The circuit
// closes, with fresh counts, when the block ends, however it ends.
export async function migrate(database: CircuitBreaker, run: () => Promise<void>): Promise<void> {
  using _maintenance = database.isolate();
  await run();
}
