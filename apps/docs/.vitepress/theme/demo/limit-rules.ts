import type { RateLimitAlgorithm } from '@cemaf/rate-limiter';

/** A limiter's settings, as the rules need them. */
export interface LimitSettings {
  readonly maxCalls: number;
  /** In ms. */
  readonly timeWindow: number;
  /** The token bucket's size. @default maxCalls */
  readonly burst?: number;
}

/**
 * The most permits that `admissions` (times in ms) put in one window, by the rule of
 * `algorithm`; a limiter keeps its promise when this is at most its limit (`maxCalls`, or
 * `burst` for the token bucket). Written plainly, apart from the demo's own charts, so that
 * the tests check the package against its documentation, not against the demo.
 *
 * - sliding window: admissions in any interval [t, t + timeWindow);
 * - fixed window: admissions in one window (a window opens at the first admission at or after
 *   the end of the one before, and lasts timeWindow);
 * - token bucket: tokens taken from a bucket of `burst`, refilled continuously at `maxCalls`
 *   per `timeWindow`, at its emptiest.
 */
export function mostInOneWindow(algorithm: RateLimitAlgorithm, admissions: readonly number[], settings: LimitSettings): number {
  const sorted = [...admissions].sort((a, b) => a - b);
  const { maxCalls, timeWindow } = settings;
  let most = 0;
  switch (algorithm) {
    case 'sliding-window':
      for (const start of sorted) {
        most = Math.max(most, sorted.filter((at) => at >= start && at < start + timeWindow).length);
      }
      return most;
    case 'fixed-window': {
      let windowStart = -Infinity;
      let inWindow = 0;
      for (const at of sorted) {
        if (at >= windowStart + timeWindow) {
          windowStart = at;
          inWindow = 0;
        }
        most = Math.max(most, ++inWindow);
      }
      return most;
    }
    case 'token-bucket': {
      const burst = settings.burst ?? maxCalls;
      const perMs = maxCalls / timeWindow;
      let tokens = burst;
      let last = 0;
      for (const at of sorted) {
        tokens = Math.min(burst, tokens + (at - last) * perMs);
        last = at;
        tokens -= 1;
        // Tokens taken = burst - tokens; a tiny tolerance for the refill's floating point.
        most = Math.max(most, burst - tokens - 1e-9);
      }
      return most;
    }
  }
}
