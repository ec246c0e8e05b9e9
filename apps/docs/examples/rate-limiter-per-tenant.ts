import { RateLimiter, type Clock } from '@cemaf/rate-limiter';

type Write = (batch: readonly object[], signal: AbortSignal) => Promise<void>;

// Each tenant may write 1 000 rows a second; a batch costs one permit per row. A batch that
// would wait longer than 2 seconds is refused at once with RateLimitExceededError.
export function createRowWriter(write: Write, clock?: Clock) {
  const rows = new RateLimiter({ maxCalls: 1_000, timeWindow: 1_000, maxWait: 2_000, clock });
  return (tenant: string, batch: readonly object[], signal?: AbortSignal): Promise<void> =>
    rows.execute((ctx) => write(batch, ctx.signal), { key: tenant, cost: batch.length, signal });
}
