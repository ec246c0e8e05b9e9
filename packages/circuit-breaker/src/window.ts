import type { WindowSettings } from './options.js';

/** A time window is kept in this many buckets. */
export const TIME_BUCKETS = 10;

const FAILED = 1;
const SLOW = 2;

/**
 * The outcomes of recent calls, for the rate-based rule: totals, and what is needed to drop
 * calls as they leave the window. Made only when a window is configured.
 */
export interface RateWindow {
  /** Calls, failed calls and slow calls in the window. */
  calls: number;
  failures: number;
  slow: number;
  /**
   * Count window: the flags of the last `size` calls, a ring. Time window: calls, failures and
   * slow calls per bucket, three numbers each.
   */
  readonly log: Uint8Array | Float64Array;
  /** Count window: where the next call goes. Time window: the number of the newest bucket. */
  head: number;
}

/** An empty window. */
export function createWindow(settings: WindowSettings): RateWindow {
  return {
    calls: 0,
    failures: 0,
    slow: 0,
    log: settings.type === 'count' ? new Uint8Array(settings.size) : new Float64Array(TIME_BUCKETS * 3),
    head: settings.type === 'count' ? 0 : -Infinity,
  };
}

/** Drops from a time window the buckets that have left it by `now`. */
export function slide(window: RateWindow, settings: WindowSettings, now: number): void {
  if (settings.type === 'count') return;
  const bucket = Math.floor((now * TIME_BUCKETS) / settings.size);
  const log = window.log;
  // Buckets between the newest and now's start empty; at most the whole ring is cleared.
  for (let next = Math.max(window.head + 1, bucket - TIME_BUCKETS + 1); next <= bucket; next++) {
    const at = (((next % TIME_BUCKETS) + TIME_BUCKETS) % TIME_BUCKETS) * 3;
    window.calls -= log[at]!;
    window.failures -= log[at + 1]!;
    window.slow -= log[at + 2]!;
    log[at] = log[at + 1] = log[at + 2] = 0;
  }
  if (bucket > window.head) window.head = bucket;
}

/** Adds a call that ended at `now`. */
export function record(
  window: RateWindow,
  settings: WindowSettings,
  now: number,
  failed: boolean,
  slow: boolean,
): void {
  const log = window.log;
  let at = window.head;
  if (settings.type === 'count') {
    if (window.calls === settings.size) {
      window.failures -= log[at]! & FAILED;
      window.slow -= (log[at]! & SLOW) >> 1;
    } else {
      window.calls++;
    }
    log[at] = (failed ? FAILED : 0) | (slow ? SLOW : 0);
    window.head = (at + 1) % settings.size;
  } else {
    slide(window, settings, now);
    at = (((window.head % TIME_BUCKETS) + TIME_BUCKETS) % TIME_BUCKETS) * 3;
    window.calls++;
    log[at]!++;
    if (failed) log[at + 1]!++;
    if (slow) log[at + 2]!++;
  }
  if (failed) window.failures++;
  if (slow) window.slow++;
}

/** Whether the window's rates call for opening: enough calls, and a rate at its threshold. */
export function tripped(window: RateWindow, settings: WindowSettings): boolean {
  const { calls } = window;
  return (
    calls >= settings.minimumCalls &&
    (window.failures / calls >= settings.failureRate || window.slow / calls >= settings.slowCallRate)
  );
}
