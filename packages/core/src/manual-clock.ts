import { onAbort } from './abort.js';
import { checkSleep, registerSchedule, soon, type Clock } from './clock.js';

interface Sleeper {
  readonly due: number;
  readonly wake: () => void;
}

// The one timer use outside systemClock: advance() yields a macrotask so that code resumed by a
// wake-up runs (and sleeps again) before the next one. Browsers lack setImmediate, and clamp
// nested setTimeout(0) to 4 ms: a message on a fresh channel is a macrotask without that floor.
const macrotask: (callback: () => void) => void =
  typeof setImmediate === 'function'
    ? setImmediate
    : typeof MessageChannel === 'function'
      ? (callback) => {
          const { port1, port2 } = new MessageChannel();
          port1.onmessage = () => {
            port1.close();
            callback();
          };
          port2.postMessage(undefined);
        }
      : (callback) => setTimeout(callback, 0);

/**
 * Lets code that was woken up run as far as it can: microtasks drain before the first
 * macrotask, and the second one also lets a macrotask queued by that code run first.
 */
function settle(): Promise<void> {
  return new Promise((resolve) => macrotask(() => macrotask(resolve)));
}

/**
 * Virtual time for tests: nothing waits for real. `sleep` registers a sleeper and `advance(ms)`
 * wakes the due ones in time order.
 *
 * @example
 * const clock = new ManualClock();
 * const policy = new RetryPolicy({ clock, initialDelay: 1_000 });
 * const result = policy.execute(flaky);
 * await clock.advance(3_000); // runs every backoff due within 3 s
 */
export class ManualClock implements Clock {
  #now: number;
  /** Sorted by due time; equal due times keep the order they were scheduled in. */
  readonly #sleepers: Sleeper[] = [];
  #queue: Promise<void> = Promise.resolve();

  /** @param start The initial `now()`, in ms. @default 0 */
  constructor(start = 0) {
    if (typeof start !== 'number' || !Number.isFinite(start)) {
      throw new RangeError(`ManualClock: start must be a finite number, got ${String(start)}`);
    }
    this.#now = start;
    registerSchedule(this, (ms, callback) =>
      checkSleep('ManualClock.schedule', ms) ? this.#schedule(ms, callback) : soon(callback),
    );
  }

  now(): number {
    return this.#now;
  }

  /** Sleeps that have neither woken nor been aborted yet. */
  get pendingSleeps(): number {
    return this.#sleepers.length;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      if (!checkSleep('ManualClock.sleep', ms)) return resolve();
      const cancel = this.#schedule(ms, () => {
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
  }

  #schedule(ms: number, wake: () => void): () => void {
    const sleeper: Sleeper = { due: this.#now + ms, wake };
    this.#insert(sleeper);
    return () => {
      const index = this.#sleepers.indexOf(sleeper);
      if (index >= 0) this.#sleepers.splice(index, 1);
    };
  }

  /**
   * Moves time forward by `ms`. Sleepers due within the span wake one at a time in due-time
   * order, each with `now()` set to its due time, and the code they resume runs (and may sleep
   * again, waking too if due within the span) before the next wakes. Resolves with `now()` at
   * the start plus `ms`. Calls made while one is running queue behind it.
   */
  advance(ms: number): Promise<void> {
    if (typeof ms !== 'number' || !(ms >= 0) || ms === Infinity) {
      return Promise.reject(
        new RangeError(`ManualClock.advance: ms must be a finite number >= 0, got ${String(ms)}`),
      );
    }
    const run = this.#queue.then(() => this.#advance(ms));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    // Code started just before advance() may not have reached its sleep yet.
    await settle();
    for (let next = this.#sleepers[0]; next !== undefined && next.due <= target; next = this.#sleepers[0]) {
      this.#sleepers.shift();
      this.#now = next.due;
      next.wake();
      await settle();
    }
    this.#now = target;
  }

  #insert(sleeper: Sleeper): void {
    const sleepers = this.#sleepers;
    let low = 0;
    let high = sleepers.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (sleepers[middle]!.due <= sleeper.due) low = middle + 1;
      else high = middle;
    }
    sleepers.splice(low, 0, sleeper);
  }
}
