import { RetryPolicy } from '@cemaf/retry';

const policy = new RetryPolicy({ maxAttempts: 5 });

// The caller's signal ends the whole call: the attempt in progress (fetch gets the signal) and
// any backoff wait. Call it as downloadReport(url, AbortSignal.timeout(10_000)).
export function downloadReport(url: string, signal?: AbortSignal): Promise<Response> {
  return policy.execute(({ signal }) => fetch(url, { signal }), { signal });
}
