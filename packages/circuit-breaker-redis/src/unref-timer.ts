/**
 * Runs `callback` once `ms` of real time have passed, on a timer that does not keep the process
 * alive where the runtime allows it (Node and Bun: `unref()`); returns the function that cancels
 * it. For the breaker's own background work (reporting outcomes, renewing leases), which no
 * caller awaits: DESIGN's one exception to "no background timers". core's `schedule` cannot
 * unref its timers, hence this one direct use of the global timer functions.
 */
export function unrefTimer(ms: number, callback: () => void): () => void {
  // eslint-disable-next-line no-restricted-globals -- see above: an unref'd timer of real time.
  const timer: unknown = setTimeout(callback, ms);
  (timer as { unref?: () => void }).unref?.();
  // eslint-disable-next-line no-restricted-globals -- the same timer's cancellation.
  return () => clearTimeout(timer as Parameters<typeof clearTimeout>[0]);
}
