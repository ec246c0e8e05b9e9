import { invalid } from '@cemaf/core/internal';

/** What `tryAcquire` decided. */
export interface RateLimitDecision {
  /** Whether the permits were granted. */
  readonly allowed: boolean;
  /** The capacity: `maxCalls`, or `burst` for the token bucket. */
  readonly limit: number;
  /** Permits that can still be taken now, after this decision. */
  readonly remaining: number;
  /** Ms until the refused permits could be granted (behind any waiting caller); 0 when allowed. */
  readonly retryAfter: number;
  /** Ms until the key is back to full capacity. */
  readonly resetAfter: number;
}

/** How `toHeaders` writes a decision. */
export interface RateLimitHeadersOptions {
  /** The policy name in `RateLimit` and `RateLimit-Policy` (printable ASCII). @default 'default' */
  readonly name?: string | undefined;
  /**
   * Write the older `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` fields (drafts
   * up to -06, what many clients still read) instead of `RateLimit` and `RateLimit-Policy`.
   * @default false
   */
  readonly legacy?: boolean | undefined;
}

const seconds = (ms: number): string => String(Math.ceil(ms / 1_000));

/**
 * HTTP response headers for a decision, after draft-ietf-httpapi-ratelimit-headers (-11):
 * `RateLimit-Policy: "default";q=100;w=60` (quota and window), `RateLimit: "default";r=42;t=17`
 * (remaining and seconds until it is whole again, or until the refused permits are free), and
 * `Retry-After` in seconds on a refusal. `window` is the policy's window in ms (left out when
 * undefined). Seconds are rounded up.
 */
export function rateLimitHeaders(
  decision: RateLimitDecision,
  options?: RateLimitHeadersOptions & { readonly window?: number | undefined },
): Record<string, string> {
  const name = options?.name ?? 'default';
  if (typeof name !== 'string' || !/^[\x20-\x7e]*$/.test(name)) {
    invalid('toHeaders', 'name', 'a string of printable ASCII', name, typeof name === 'string' ? RangeError : TypeError);
  }
  const { allowed, limit, remaining, retryAfter, resetAfter } = decision;
  const headers: Record<string, string> = {};
  if (options?.legacy) {
    headers['RateLimit-Limit'] = String(limit);
    headers['RateLimit-Remaining'] = String(remaining);
    headers['RateLimit-Reset'] = seconds(resetAfter);
  } else {
    const item = `"${name.replace(/[\\"]/g, '\\$&')}"`;
    const window = options?.window;
    headers['RateLimit-Policy'] = `${item};q=${limit}${window === undefined ? '' : `;w=${Math.max(1, Math.ceil(window / 1_000))}`}`;
    // On a refusal `t` is the wait, so that it never ends after Retry-After (as the draft asks).
    headers['RateLimit'] = `${item};r=${remaining};t=${seconds(allowed ? resetAfter : retryAfter)}`;
  }
  if (!allowed) headers['Retry-After'] = seconds(retryAfter);
  return headers;
}
