import { parseRetryAfter, RetryPolicy, type Clock } from '@cemaf/retry';

const RETRY_STATUSES = new Set([429, 503]);

/**
 * A `fetch` that retries 429 Too Many Requests and 503 Service Unavailable, waiting what the
 * server asks in `Retry-After`, or 1 s, 2 s, 4 s... when it does not say.
 */
export function createPoliteFetch(clock?: Clock): typeof fetch {
  const policy = new RetryPolicy({
    maxAttempts: 5,
    maxDelay: 60_000,
    clock,
    retryOnResult: (response: Response) => RETRY_STATUSES.has(response.status),
    // `value` is the refused response; it is undefined when fetch itself failed (and is retried).
    backoff: ({ attempt, value }) =>
      (value instanceof Response ? parseRetryAfter(value.headers.get('retry-after')) : undefined) ??
      1_000 * 2 ** (attempt - 1),
  });
  // A response that is retried is never read: free its connection.
  policy.on('retry', ({ value }) => (value instanceof Response ? value.body?.cancel() : undefined));
  return (input, init) =>
    policy.execute(({ signal }) => fetch(input, { ...init, signal }), { signal: init?.signal ?? undefined });
}
