import type { WindowSettings } from './options.js';

/** A time window is kept in this many buckets. */
export const TIME_BUCKETS = 10;

/**
 * The outcomes of recent calls, for the rate-based rule: totals, and a ring of buckets to take
 * calls out again as they leave the window. A count window has one bucket per call, numbered
 * by call; a time window has ten buckets of `size / 10` ms, numbered by time. Made only when a
 * window is configured.
 */
export interface RateWindow {
  /** Calls, failed calls and slow calls in the window. */
  calls: number;
  failures: number;
  slowCalls: number;
  /** Calls, failures and slow calls of each bucket, three numbers each. */
  readonly buckets: Uint8Array | Uint32Array;
  /** The number of the newest bucket. */
  newest: number;
}

/** An empty window. */
export function createWindow(settings: WindowSettings): RateWindow {
  const count = settings.type === 'count';
  return {
    calls: 0,
    failures: 0,
    slowCalls: 0,
    // A count window's bucket holds one call, so bytes are enough.
    buckets: count ? new Uint8Array(3 * settings.size) : new Uint32Array(3 * TIME_BUCKETS),
    newest: count ? 0 : -Infinity,
  };
}

/** Adds to the bucket at `at` and to the totals; negative amounts take away. */
function add(window: RateWindow, at: number, calls: number, failures: number, slowCalls: number): void {
  const { buckets } = window;
  buckets[at]! += calls;
  buckets[at + 1]! += failures;
  buckets[at + 2]! += slowCalls;
  window.calls += calls;
  window.failures += failures;
  window.slowCalls += slowCalls;
}

/** Where bucket number `bucket` sits in the ring. */
function slot(window: RateWindow, bucket: number): number {
  const length = window.buckets.length / 3;
  return (((bucket % length) + length) % length) * 3;
}

/** Makes `bucket` the newest, emptying the buckets it pushes out of the ring. */
function advance(window: RateWindow, bucket: number): void {
  const { buckets } = window;
  // At most the whole ring is emptied, however far the window moves.
  for (let next = Math.max(window.newest + 1, bucket - buckets.length / 3 + 1); next <= bucket; next++) {
    const at = slot(window, next);
    add(window, at, -buckets[at]!, -buckets[at + 1]!, -buckets[at + 2]!);
  }
  window.newest = Math.max(window.newest, bucket);
}

const timeBucket = (settings: WindowSettings, now: number): number => Math.floor((now * TIME_BUCKETS) / settings.size);

/** Drops from a time window the calls that have left it by `now`. */
export function slide(window: RateWindow, settings: WindowSettings, now: number): void {
  if (settings.type === 'time') advance(window, timeBucket(settings, now));
}

/** Adds a call that ended at `now`. */
export function record(window: RateWindow, settings: WindowSettings, now: number, failed: boolean, slow: boolean): void {
  advance(window, settings.type === 'count' ? window.newest + 1 : timeBucket(settings, now));
  add(window, slot(window, window.newest), 1, +failed, +slow);
}

/** Whether the window's rates call for opening: enough calls, and a rate at its threshold. */
export function tripped(window: RateWindow, settings: WindowSettings): boolean {
  const { calls } = window;
  return (
    calls >= settings.minimumCalls &&
    (window.failures / calls >= settings.failureRate || window.slowCalls / calls >= settings.slowCallRate)
  );
}
