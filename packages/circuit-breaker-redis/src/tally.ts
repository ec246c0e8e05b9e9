import type { Clock } from '@cemaf/core';
import { TIME_BUCKETS, tripped, type BreakerSettings, type RateWindow, type WindowSettings } from '@cemaf/circuit-breaker/internal';

/** The closed state's counts as `stats()` reports them. */
export interface Counts {
  readonly recentFailures: number;
  readonly window?: { readonly calls: number; readonly failures: number; readonly slowCalls: number };
}

/**
 * One process's count of a closed period (one generation of the shared circuit): what Redis last
 * reported of the circuit's counts, and this process's outcomes not reported yet. Redis counts;
 * this process only judges whether its own outcomes are likely to open the circuit, so that it
 * reports those at once instead of on the flush timer.
 */
export interface Tally {
  /** Outcomes waiting to be reported. */
  readonly pending: number;
  /**
   * Counts an outcome; returns whether, by this process's reckoning (Redis's last report plus
   * what is pending), it opens the circuit.
   */
  add(failed: boolean, slow: boolean): boolean;
  /** The pending outcomes, encoded for the script (see breaker.lua's `record`); empties the batch. */
  take(): string;
  /** What Redis reports of the closed state's counts (the `view` of its answer). */
  learn(view: string): void;
  counts(): Counts;
}

/**
 * Makes the tally of one closed period. `serverTime` converts a reading of `clock` to the time
 * the script counts in (the Redis server's, unless the caller gives the time).
 */
export function createTally(settings: BreakerSettings, serverTime: (now: number) => number): Tally {
  const { window } = settings;
  if (window === undefined) {
    return settings.failureWindow === Infinity ? new ConsecutiveTally(settings) : new FailureWindowTally(settings);
  }
  return window.type === 'count' ? new CountWindowTally(window) : new TimeWindowTally(window, settings.clock, serverTime);
}

/**
 * Consecutive failures. A batch is summed up as: failures before its first success, the longest
 * run of failures between two successes, failures after its last success, and whether it has a
 * success at all; that is all the count in Redis needs, however long the batch.
 */
class ConsecutiveTally implements Tally {
  readonly #threshold: number;
  #known = 0;
  #leading = 0;
  #longest = 0;
  #trailing = 0;
  #succeeded = false;
  pending = 0;

  constructor(settings: BreakerSettings) {
    this.#threshold = settings.failureThreshold;
  }

  add(failed: boolean): boolean {
    this.pending++;
    if (!failed) {
      if (this.#succeeded && this.#trailing > this.#longest) this.#longest = this.#trailing;
      this.#succeeded = true;
      this.#trailing = 0;
      return false;
    }
    if (this.#succeeded) this.#trailing++;
    else this.#leading++;
    return this.#failures() >= this.#threshold;
  }

  #failures(): number {
    return this.#succeeded ? this.#trailing : this.#known + this.#leading;
  }

  take(): string {
    const batch = `${this.#leading} ${this.#longest} ${this.#trailing} ${this.#succeeded ? 1 : 0}`;
    this.#known = this.#failures();
    this.#leading = this.#longest = this.#trailing = this.pending = 0;
    this.#succeeded = false;
    return batch;
  }

  learn(view: string): void {
    this.#known = Number(view) || 0;
  }

  counts(): Counts {
    return { recentFailures: this.#failures() };
  }
}

/** Failures within the last `failureWindow` ms: successes change nothing, and are not reported. */
class FailureWindowTally implements Tally {
  readonly #threshold: number;
  readonly #span: number;
  readonly #clock: Clock;
  /** When the failures Redis reported happened, on `clock`, oldest first. */
  #known: number[] = [];
  /** When this process's pending failures happened, oldest first (the last `threshold` only). */
  #batch: number[] = [];

  constructor(settings: BreakerSettings) {
    this.#threshold = settings.failureThreshold;
    this.#span = settings.failureWindow;
    this.#clock = settings.clock;
  }

  get pending(): number {
    return this.#batch.length;
  }

  add(failed: boolean): boolean {
    if (!failed) return false;
    const now = this.#clock.now();
    if (this.#batch.push(now) > this.#threshold) this.#batch.shift();
    // Opens when the last `threshold` failures all fall within the window, as the script checks.
    const all = this.#all(now);
    return all.length >= this.#threshold && now - all[all.length - this.#threshold]! < this.#span;
  }

  /** Every failure known here that is still within the window at `now`, oldest first. */
  #all(now: number): number[] {
    const all = this.#known.concat(this.#batch).sort((a, b) => a - b);
    let first = 0;
    while (first < all.length && now - all[first]! >= this.#span) first++;
    return first === 0 ? all : all.slice(first);
  }

  take(): string {
    const now = this.#clock.now();
    const ages = this.#batch.map((time) => now - time).join(' ');
    this.#known = this.#all(now);
    this.#batch = [];
    return ages;
  }

  learn(view: string): void {
    const now = this.#clock.now();
    this.#known = view === '-' ? [] : view.split(',').map((age) => now - Number(age)).sort((a, b) => a - b);
  }

  counts(): Counts {
    return { recentFailures: this.#all(this.#clock.now()).length };
  }
}

/** A window's totals, as `tripped` reads them. */
const windowOf = (calls: number, failures: number, slowCalls: number): RateWindow => ({
  calls,
  failures,
  slowCalls,
  buckets: NO_BUCKETS,
  newest: 0,
});
const NO_BUCKETS = new Uint8Array(0);

/** Totals reported by Redis ('calls,failures,slow'), or none. */
function totalsOf(view: string): [number, number, number] {
  const [calls = 0, failures = 0, slow = 0] = view === '-' ? [] : view.split(',').map(Number);
  return [calls, failures, slow];
}

/**
 * The last `size` calls. A batch is the calls in order, as runs of one kind each (`s` success,
 * `f` failure, `S` and `F` slow ones), the last `size` calls only.
 */
class CountWindowTally implements Tally {
  readonly #settings: WindowSettings;
  #known: [number, number, number] = [0, 0, 0];
  #kinds: string[] = [];
  #lengths: number[] = [];
  #failures = 0;
  #slow = 0;
  pending = 0;

  constructor(settings: WindowSettings) {
    this.#settings = settings;
  }

  add(failed: boolean, slow: boolean): boolean {
    const kind = failed ? (slow ? 'F' : 'f') : slow ? 'S' : 's';
    const last = this.#kinds.length - 1;
    if (this.#kinds[last] === kind) this.#lengths[last]!++;
    else {
      this.#kinds.push(kind);
      this.#lengths.push(1);
    }
    this.pending++;
    if (failed) this.#failures++;
    if (slow) this.#slow++;
    if (this.pending > this.#settings.size) {
      // Only the last `size` calls can be in the window.
      const dropped = this.#kinds[0]!;
      if (dropped === 'f' || dropped === 'F') this.#failures--;
      if (dropped === 'S' || dropped === 'F') this.#slow--;
      this.pending--;
      if (--this.#lengths[0]! === 0) {
        this.#kinds.shift();
        this.#lengths.shift();
      }
    }
    return tripped(this.#window(), this.#settings);
  }

  /** The window as this process reckons it: the calls it reports push Redis's oldest ones out. */
  #window(): RateWindow {
    const [calls, failures, slow] = this.#known;
    const kept = Math.min(calls, this.#settings.size - this.pending);
    const share = calls === 0 ? 0 : kept / calls;
    return windowOf(kept + this.pending, failures * share + this.#failures, slow * share + this.#slow);
  }

  take(): string {
    const batch = this.#kinds.map((kind, index) => `${kind}${this.#lengths[index]!}`).join('');
    const { calls, failures, slowCalls } = this.#window();
    this.#known = [calls, failures, slowCalls];
    this.#kinds = [];
    this.#lengths = [];
    this.#failures = this.#slow = this.pending = 0;
    return batch;
  }

  learn(view: string): void {
    this.#known = totalsOf(view);
  }

  counts(): Counts {
    const { calls, failures, slowCalls } = this.#window();
    return { recentFailures: Math.round(failures), window: { calls, failures: Math.round(failures), slowCalls: Math.round(slowCalls) } };
  }
}

/**
 * The calls of the last `size` ms, in ten buckets numbered by server time. A batch is, for each
 * bucket its calls fell in: the bucket, its calls, failures and slow calls.
 */
class TimeWindowTally implements Tally {
  readonly #settings: WindowSettings;
  readonly #clock: Clock;
  readonly #serverTime: (now: number) => number;
  #known: [number, number, number] = [0, 0, 0];
  /** bucket, calls, failures, slow calls; then the next bucket's. */
  #groups: number[] = [];
  #failures = 0;
  #slow = 0;
  pending = 0;

  constructor(settings: WindowSettings, clock: Clock, serverTime: (now: number) => number) {
    this.#settings = settings;
    this.#clock = clock;
    this.#serverTime = serverTime;
  }

  add(failed: boolean, slow: boolean): boolean {
    const bucket = Math.floor((this.#serverTime(this.#clock.now()) * TIME_BUCKETS) / this.#settings.size);
    const groups = this.#groups;
    let at = groups.length - 4;
    if (groups[at] !== bucket) {
      at = groups.push(bucket, 0, 0, 0) - 4;
    }
    groups[at + 1]!++;
    this.pending++;
    if (failed) {
      groups[at + 2]!++;
      this.#failures++;
    }
    if (slow) {
      groups[at + 3]!++;
      this.#slow++;
    }
    return tripped(this.#window(), this.#settings);
  }

  #window(): RateWindow {
    const [calls, failures, slow] = this.#known;
    return windowOf(calls + this.pending, failures + this.#failures, slow + this.#slow);
  }

  take(): string {
    const batch = this.#groups.join(' ');
    const { calls, failures, slowCalls } = this.#window();
    this.#known = [calls, failures, slowCalls];
    this.#groups = [];
    this.#failures = this.#slow = this.pending = 0;
    return batch;
  }

  learn(view: string): void {
    this.#known = totalsOf(view);
  }

  counts(): Counts {
    const { calls, failures, slowCalls } = this.#window();
    return { recentFailures: failures, window: { calls, failures, slowCalls } };
  }
}
