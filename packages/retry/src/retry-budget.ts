import type { Clock } from '@cemaf/core';
import { clockOption, numberOption, optionsOf } from '@cemaf/core/internal';

/** Options of a {@link RetryBudget}. */
export interface RetryBudgetOptions {
  /**
   * Retries allowed per call seen in the last `ttl`, as a fraction: 0.2 lets retries add at most
   * 20% to the load on the dependency. @default 0.2
   */
  readonly ratio?: number;
  /** Retries allowed per second whatever the traffic, so that a quiet service can still retry. @default 10 */
  readonly minRetriesPerSecond?: number;
  /** How long a call or a retry counts, in ms. @default 10000 */
  readonly ttl?: number;
  /** Where time comes from. @default systemClock */
  readonly clock?: Clock;
}

const OWNER = 'RetryBudget';
const NAMES = ['ratio', 'minRetriesPerSecond', 'ttl', 'clock'] as const;
// Float products such as 0.1 * 30 come out a hair under the whole number they stand for.
const EPSILON = 1e-9;

/**
 * How many events happened in the last `ttl` ms. Each event is recorded at its time rounded up
 * to the millisecond, so events of one millisecond share an entry (memory stays below `ttl`
 * entries however busy the service is) and none is forgotten early (at most 1 ms late).
 */
class RecentCount {
  readonly #times: number[] = [];
  readonly #counts: number[] = [];
  #first = 0;
  #total = 0;

  add(time: number): void {
    const last = this.#times.length - 1;
    if (last >= this.#first && this.#times[last] === time) this.#counts[last]!++;
    else {
      this.#times.push(time);
      this.#counts.push(1);
    }
    this.#total++;
  }

  /** Drops the entries that are `ttl` or more old at `now`, then returns the count. */
  total(now: number, ttl: number): number {
    const times = this.#times;
    let first = this.#first;
    while (first < times.length && times[first]! <= now - ttl) this.#total -= this.#counts[first++]!;
    // Compacts now and then rather than shifting each entry out.
    if (first > 64 && first * 2 > times.length) {
      times.splice(0, first);
      this.#counts.splice(0, first);
      first = 0;
    }
    this.#first = first;
    return this.#total;
  }
}

/**
 * Caps retries at a fraction of recent calls, as Finagle's and Envoy's retry budgets do. Every
 * call deposits, every retry withdraws; a retry is allowed while the retries of the last `ttl`
 * stay within `ratio` x the calls of the last `ttl`, plus `minRetriesPerSecond` x `ttl` / 1000.
 *
 * Share one budget among every policy that calls the same dependency: when it fails for everyone,
 * retries stop adding load to it (no retry storm) and callers get the error at once.
 *
 * @example
 * const budget = new RetryBudget({ ratio: 0.1 });
 * const users = new RetryPolicy({ budget });
 * const orders = new RetryPolicy({ budget, maxAttempts: 5 });
 */
export class RetryBudget {
  readonly #ratio: number;
  readonly #reserve: number;
  readonly #ttl: number;
  readonly #clock: Clock;
  readonly #calls = new RecentCount();
  readonly #retries = new RecentCount();

  /** @throws TypeError or RangeError when an option is invalid or unknown. */
  constructor(options?: RetryBudgetOptions) {
    const given = optionsOf(OWNER, options, NAMES);
    this.#ratio = numberOption(OWNER, 'ratio', given['ratio'], { min: 0 }, 0.2);
    const minRetriesPerSecond = numberOption(OWNER, 'minRetriesPerSecond', given['minRetriesPerSecond'], { min: 0 }, 10);
    this.#ttl = numberOption(OWNER, 'ttl', given['ttl'], { above: 0 }, 10_000);
    this.#clock = clockOption(OWNER, given['clock']);
    this.#reserve = (minRetriesPerSecond * this.#ttl) / 1_000;
  }

  /** Records a call. A `RetryPolicy` given this budget deposits once per `execute`. */
  deposit(): void {
    this.#calls.add(Math.ceil(this.#clock.now()));
  }

  /**
   * Takes one retry from the budget if it allows one now, and says whether it did. A
   * `RetryPolicy` calls it before each retry and gives up when it returns false.
   */
  tryWithdraw(): boolean {
    const now = this.#clock.now();
    if (this.#retries.total(now, this.#ttl) + 1 > this.#allowed(now)) return false;
    this.#retries.add(Math.ceil(now));
    return true;
  }

  /** Retries the budget would allow right now. */
  get balance(): number {
    const now = this.#clock.now();
    return Math.max(0, Math.floor(this.#allowed(now) - this.#retries.total(now, this.#ttl)));
  }

  #allowed(now: number): number {
    return this.#ratio * this.#calls.total(now, this.#ttl) + this.#reserve + EPSILON;
  }
}
