import { RateLimiter } from '@cemaf/rate-limiter';

// Each tenant may write 1 000 rows a second; a batch costs one permit per row. A batch that
// would wait longer than 2 seconds is refused at once with RateLimitExceededError.
const rows = new RateLimiter({ maxCalls: 1_000, timeWindow: 1_000, maxWait: 2_000 });

export function insertRows(
  tenant: string,
  batch: readonly object[],
  write: (batch: readonly object[], signal: AbortSignal) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  return rows.execute((ctx) => write(batch, ctx.signal), { key: tenant, cost: batch.length, signal });
}
