import { onAbort } from './abort.js';

/**
 * A source of time. Every policy reads time from a `Clock`, so tests can drive it with
 * `ManualClock` instead of waiting.
 */
export interface Clock {
  /** Milliseconds on a monotonic scale with an arbitrary origin. */
  now(): number;
  /**
   * Resolves once `now()` has advanced by at least `ms`; at once when `ms <= 0`. Rejects with
   * `signal.reason` when `signal` aborts (at once if it already has), and then leaves no timer.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** setTimeout's largest delay; longer sleeps are chained. */
const MAX_TIMER_DELAY = 2 ** 31 - 1;

/** Checks a sleep's delay; returns whether there is anything to wait for. */
export function checkSleep(owner: string, ms: number): boolean {
  if (typeof ms !== 'number' || Number.isNaN(ms)) {
    throw new RangeError(`${owner}: ms must be a number, got ${String(ms)}`);
  }
  return ms > 0;
}

/** Runs `callback` after `ms`; returns the function that cancels it. */
export type Schedule = (ms: number, callback: () => void) => () => void;

/**
 * The cancellable timers of cemaf's own clocks, which need no `AbortController` (costly to make
 * and to abort). A registry rather than a method, so that neither clock carries a computed
 * member that would keep bundlers from dropping it when unused.
 */
const timers = new WeakMap<Clock, Schedule>();

/** Gives a clock a cancellable timer that `schedule` uses instead of `sleep`. */
export function registerSchedule(clock: Clock, timer: Schedule): void {
  timers.set(clock, timer);
}

/**
 * Runs `callback` once `clock.now()` has advanced by `ms` (in a microtask when `ms <= 0`);
 * returns the function that cancels it. Clocks other than cemaf's go through `sleep`.
 */
export function schedule(clock: Clock, ms: number, callback: () => void): () => void {
  if (clock === systemClock) {
    return checkSleep('systemClock.schedule', ms) ? startTimer(ms, callback) : soon(callback);
  }
  const timer = timers.get(clock);
  if (timer !== undefined) return timer(ms, callback);
  const controller = new AbortController();
  const { signal } = controller;
  clock.sleep(ms, signal).then(callback, () => signal.aborted || callback());
  return () => controller.abort();
}

/** Runs `callback` in a microtask unless the returned function cancels it first. */
export function soon(callback: () => void): () => void {
  let cancelled = false;
  queueMicrotask(() => cancelled || callback());
  return () => (cancelled = true);
}

/**
 * Runs `callback` once `ms` (checked, > 0) has really passed: re-armed until `now()` says due,
 * chained past 2^31-1 ms. Apart from `schedule` so that a bundle that only sleeps drops
 * `schedule` and `soon`.
 */
function startTimer(ms: number, callback: () => void): () => void {
  const due = performance.now() + ms;
  // Timers may fire a little early, and cannot wait longer than MAX_TIMER_DELAY.
  const arm = (left: number) => setTimeout(wake, Math.min(Math.ceil(left), MAX_TIMER_DELAY));
  const wake = () => {
    const left = due - performance.now();
    if (left > 0) timer = arm(left);
    else callback();
  };
  // Armed with `ms`, not with what is left of it: never a callback before this returns, even
  // when the runtime paused between the two clock reads.
  let timer = arm(ms);
  return () => clearTimeout(timer);
}

/**
 * The real clock: `performance.now()` and `setTimeout`, looked up on every call so that fake
 * timers installed by a test framework (which replace the globals) are seen.
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  sleep(ms, signal) {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      if (!checkSleep('systemClock.sleep', ms)) return resolve();
      const cancel = startTimer(ms, () => {
        stopWaiting?.();
        resolve();
      });
      const stopWaiting =
        signal &&
        onAbort(signal, () => {
          cancel();
          reject(signal.reason);
        });
    });
  },
};
