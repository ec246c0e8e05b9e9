/**
 * A reference model of cemaf's rate limiters, written from the definitions in DESIGN.md
 * ("Precise semantics > Rate limiter") by brute force: every decision re-checks the whole
 * timeline of permits against the algorithm's definition, trying slots one millisecond at a time.
 * It is slow and obviously right, so the fast limiters are tested against it. Times and windows
 * are integer ms; for the token bucket `timeWindow` must be a multiple of `maxCalls`, so that
 * every slot is a whole millisecond.
 */

export type ModelAlgorithm = 'sliding-window' | 'token-bucket' | 'fixed-window';

export interface ModelConfig {
  readonly algorithm: ModelAlgorithm;
  readonly maxCalls: number;
  readonly timeWindow: number;
  readonly burst?: number | undefined;
  readonly maxWait?: number | undefined;
  readonly maxQueue?: number | undefined;
}

/** Permits taken at one time. */
export interface Permit {
  readonly time: number;
  readonly cost: number;
}

/** The fields of a `tryAcquire` decision. */
export interface ModelDecision {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  readonly retryAfter: number;
  readonly resetAfter: number;
}

/** What became of an `acquire`: admitted at a time, refused, still waiting, or aborted. */
export type ModelOutcome =
  | { readonly status: 'admitted'; readonly at: number }
  | { readonly status: 'rejected'; readonly retryAfter: number; readonly reason: 'maxWait' | 'maxQueue' }
  | { readonly status: 'waiting'; readonly slot: number }
  | { readonly status: 'aborted' };

/** The capacity: `maxCalls`, or `burst` for the token bucket. */
export function capacityOf(config: ModelConfig): number {
  return config.algorithm === 'token-bucket' ? (config.burst ?? config.maxCalls) : config.maxCalls;
}

const byTime = (permits: readonly Permit[]): Permit[] => [...permits].sort((a, b) => a.time - b.time);

/**
 * Whether `permits` keep the algorithm's definition:
 * - sliding window: no half-open interval of `timeWindow` holds more than `maxCalls` permits;
 * - token bucket: a bucket of `burst` tokens, full at first, refilled continuously at `maxCalls`
 *   per `timeWindow`, never goes below zero;
 * - fixed window: a window opens at the first permit and lasts `timeWindow`, the next opens at
 *   the first permit after it ends, and none holds more than `maxCalls` permits.
 */
export function withinLimit(config: ModelConfig, permits: readonly Permit[]): boolean {
  const { maxCalls, timeWindow } = config;
  const sorted = byTime(permits.filter((permit) => permit.cost > 0));
  switch (config.algorithm) {
    case 'sliding-window':
      // The fullest interval starts at a permit.
      return sorted.every(
        (start) =>
          sorted
            .filter((permit) => permit.time >= start.time && permit.time < start.time + timeWindow)
            .reduce((sum, permit) => sum + permit.cost, 0) <= maxCalls,
      );
    case 'token-bucket': {
      // Levels in tokens x timeWindow, so that the arithmetic stays in integers.
      const full = capacityOf(config) * timeWindow;
      let level = full;
      let last = -Infinity;
      for (const { time, cost } of sorted) {
        if (last !== -Infinity) level = Math.min(full, level + (time - last) * maxCalls);
        last = time;
        if (level < cost * timeWindow) return false;
        level -= cost * timeWindow;
      }
      return true;
    }
    case 'fixed-window': {
      let start = -Infinity;
      let used = 0;
      for (const { time, cost } of sorted) {
        if (time >= start + timeWindow) {
          start = time;
          used = 0;
        }
        used += cost;
        if (used > maxCalls) return false;
      }
      return true;
    }
  }
}

/** When the permits stop weighing on the limit: a fresh key from then on. */
export function fullAt(config: ModelConfig, permits: readonly Permit[]): number {
  const { maxCalls, timeWindow } = config;
  const sorted = byTime(permits.filter((permit) => permit.cost > 0));
  if (sorted.length === 0) return -Infinity;
  switch (config.algorithm) {
    case 'sliding-window':
      return sorted.at(-1)!.time + timeWindow;
    case 'token-bucket': {
      const full = capacityOf(config) * timeWindow;
      let level = full;
      let last = -Infinity;
      for (const { time, cost } of sorted) {
        if (last !== -Infinity) level = Math.min(full, level + (time - last) * maxCalls);
        last = time;
        level -= cost * timeWindow;
      }
      return last + (full - level) / maxCalls;
    }
    case 'fixed-window': {
      let start = -Infinity;
      for (const { time } of sorted) if (time >= start + timeWindow) start = time;
      return start + timeWindow;
    }
  }
}

interface ModelWaiter {
  readonly id: number;
  readonly cost: number;
  slot: number;
}

/** The limiter as the definitions describe it, one key at a time. */
export class RateLimitModel {
  readonly config: ModelConfig;
  readonly limit: number;
  #now = 0;
  readonly #committed = new Map<string | undefined, Permit[]>();
  readonly #queues = new Map<string | undefined, ModelWaiter[]>();
  readonly #outcomes = new Map<number, ModelOutcome>();

  constructor(config: ModelConfig, start = 0) {
    this.config = config;
    this.limit = capacityOf(config);
    this.#now = start;
  }

  get now(): number {
    return this.#now;
  }

  /** What became of the `acquire` numbered `id`. */
  outcome(id: number): ModelOutcome | undefined {
    return this.#outcomes.get(id);
  }

  /** Moves time to `time`, admitting the waiters whose slot comes, in slot order. */
  advance(time: number): void {
    for (;;) {
      let due: [string | undefined, ModelWaiter] | undefined;
      for (const [key, queue] of this.#queues) {
        const first = queue[0];
        if (first && first.slot <= time && (!due || first.slot < due[1].slot)) due = [key, first];
      }
      if (!due) break;
      this.#now = due[1].slot;
      this.#admitDue(due[0]);
    }
    this.#now = Math.max(this.#now, time);
  }

  tryAcquire(key: string | undefined, cost: number): ModelDecision {
    const now = this.#now;
    const remaining = this.#spare(key);
    const allowed = cost <= remaining;
    const retryAfter = allowed ? 0 : this.#slotFor(key, cost) - now;
    if (allowed && cost > 0) this.#committedOf(key).push({ time: now, cost });
    const end = fullAt(this.config, this.#timeline(key));
    return {
      allowed,
      limit: this.limit,
      remaining: allowed ? remaining - cost : remaining,
      retryAfter,
      resetAfter: Math.max(0, end - now),
    };
  }

  /** An `acquire` numbered `id` arrives now. */
  acquire(key: string | undefined, cost: number, id: number): ModelOutcome {
    const now = this.#now;
    const queue = this.#queueOf(key);
    let outcome: ModelOutcome;
    if (cost === 0) outcome = { status: 'admitted', at: now };
    else if (queue.length === 0 && this.#fits(key, now, cost)) {
      this.#committedOf(key).push({ time: now, cost });
      outcome = { status: 'admitted', at: now };
    } else {
      const slot = this.#slotFor(key, cost);
      const delay = slot - now;
      if (delay > (this.config.maxWait ?? Infinity)) outcome = { status: 'rejected', retryAfter: delay, reason: 'maxWait' };
      else if (queue.length >= (this.config.maxQueue ?? Infinity)) {
        outcome = { status: 'rejected', retryAfter: delay, reason: 'maxQueue' };
      } else {
        queue.push({ id, cost, slot });
        outcome = { status: 'waiting', slot };
      }
    }
    this.#outcomes.set(id, outcome);
    return outcome;
  }

  /** The waiter numbered `id` aborts now; the ones behind it move up. */
  abort(id: number): void {
    for (const [key, queue] of this.#queues) {
      const index = queue.findIndex((waiter) => waiter.id === id);
      if (index === -1) continue;
      queue.splice(index, 1);
      this.#outcomes.set(id, { status: 'aborted' });
      this.#replan(key);
      return;
    }
  }

  /** Forgets the permits taken for `key`, or for every key; waiters move up. */
  reset(key?: string): void {
    if (key === undefined) this.#committed.clear();
    else this.#committed.delete(key);
    for (const queueKey of this.#queues.keys()) if (key === undefined || queueKey === key) this.#replan(queueKey);
  }

  #committedOf(key: string | undefined): Permit[] {
    let permits = this.#committed.get(key);
    if (!permits) this.#committed.set(key, (permits = []));
    return permits;
  }

  #queueOf(key: string | undefined): ModelWaiter[] {
    let queue = this.#queues.get(key);
    if (!queue) this.#queues.set(key, (queue = []));
    return queue;
  }

  /** Every permit of the key: taken ones and the waiters' reservations. */
  #timeline(key: string | undefined, waiters = this.#queueOf(key)): Permit[] {
    return [...this.#committedOf(key), ...waiters.map(({ slot, cost }) => ({ time: slot, cost }))];
  }

  #fits(key: string | undefined, time: number, cost: number, waiters = this.#queueOf(key)): boolean {
    return withinLimit(this.config, [...this.#timeline(key, waiters), { time, cost }]);
  }

  /** The most permits that fit now on top of everything the key holds and reserved. */
  #spare(key: string | undefined): number {
    let spare = 0;
    while (spare < this.limit && this.#fits(key, this.#now, spare + 1)) spare++;
    return spare;
  }

  /** The first slot, one ms at a time, behind the key's waiters, that keeps the definition. */
  #slotFor(key: string | undefined, cost: number, waiters = this.#queueOf(key)): number {
    const base = Math.max(this.#now, waiters.at(-1)?.slot ?? -Infinity);
    const { timeWindow, maxCalls } = this.config;
    const horizon = base + 4 * (timeWindow + (this.limit * timeWindow) / maxCalls) + 10;
    for (let time = base; time <= horizon; time++) if (this.#fits(key, time, cost, waiters)) return time;
    throw new Error(`RateLimitModel: no slot for cost ${cost} before ${horizon}`);
  }

  #admitDue(key: string | undefined): void {
    const queue = this.#queueOf(key);
    while (queue[0] && queue[0].slot <= this.#now) {
      const waiter = queue.shift()!;
      this.#committedOf(key).push({ time: waiter.slot, cost: waiter.cost });
      this.#outcomes.set(waiter.id, { status: 'admitted', at: waiter.slot });
    }
  }

  /** Each waiter, in order, takes the first slot it can have now; none moves later. */
  #replan(key: string | undefined): void {
    const queue = this.#queueOf(key);
    const planned: ModelWaiter[] = [];
    for (const waiter of queue) {
      waiter.slot = Math.min(waiter.slot, this.#slotFor(key, waiter.cost, planned));
      planned.push(waiter);
    }
    for (const waiter of queue) this.#outcomes.set(waiter.id, { status: 'waiting', slot: waiter.slot });
    this.#admitDue(key);
  }
}
