import { RateLimitExceededError, type Clock, type Policy, type Task } from '@cemaf/core';
import {
  CallContext,
  Emitter,
  invalid,
  onAbort,
  runTask,
  schedule,
  wrap,
  type Listener,
} from '@cemaf/core/internal';
import type { Algorithm } from './algorithm.js';
import { rateLimitHeaders, type RateLimitDecision, type RateLimitHeadersOptions } from './headers.js';
import { checkCost, checkKey, checkSignal } from './limit-options.js';
import {
  algorithmOf,
  OWNER,
  settingsOf,
  type AcquireOptions,
  type RateLimiterOptions,
  type Settings,
  type RateLimitExecuteOptions,
  type RateLimitOptions,
} from './options.js';

/** A key, or `undefined` for the limiter's own budget. */
type Key = string | undefined;
/** A key's permits, as the algorithm keeps them. */
type State = unknown;

/** The events of a `RateLimiter` and their payloads. */
export interface RateLimiterEvents {
  /** Permits were granted (not for `cost: 0`); `waited` is how long the caller waited, in ms. */
  acquire: { readonly key: Key; readonly cost: number; readonly waited: number };
  /** A caller starts waiting `delay` ms for its permits. */
  wait: { readonly key: Key; readonly cost: number; readonly delay: number };
  /**
   * A caller was refused: `'limit'` by `tryAcquire`, `'maxWait'` when its permits would come
   * too late, `'maxQueue'` when too many wait already. `retryAfter` is in ms. Aborted waiters
   * emit nothing: they reject with their signal's reason.
   */
  reject: {
    readonly key: Key;
    readonly cost: number;
    readonly retryAfter: number;
    readonly reason: 'limit' | 'maxWait' | 'maxQueue';
  };
}

/** What `stats()` reports. */
export interface RateLimiterStats {
  /** Keys held in memory (the limiter's own budget not counted). */
  readonly keys: number;
  /** Callers waiting for permits, over all keys. */
  readonly waiting: number;
  /** Calls granted permits so far (`cost: 0` ones not counted). */
  readonly admitted: number;
  /** Calls refused so far (`tryAcquire` refusals, `maxWait`, `maxQueue`). */
  readonly rejected: number;
  /** Keys dropped by `maxKeys` before they were back to full capacity. */
  readonly evicted: number;
}

/** A caller waiting for its slot. */
interface Waiter {
  readonly cost: number;
  readonly arrival: number;
  /**
   * The earliest time it may be admitted, as planned from the permits taken so far. It moves
   * earlier when a caller ahead leaves, and later only when one ahead was admitted late.
   */
  slot: number;
  next: Waiter | undefined;
  /** Cancels its pending wake-up; `ignore` once it has woken. */
  cancel: () => void;
  readonly signal: AbortSignal | undefined;
  /** Stops listening to `signal`, when there is one. */
  stopWaiting: (() => void) | undefined;
  /** What `execute` runs, started the moment its permits are taken; `null` for `acquire`. */
  readonly task: Task<unknown> | null;
  readonly ctx: CallContext | null;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
}

/** The waiters of one key, first come first served, with the state after their reservations. */
interface Queue {
  first: Waiter | undefined;
  last: Waiter | undefined;
  size: number;
  tail: State;
}

const ignore = (): void => undefined;

/**
 * Throttles calls to `maxCalls` permits per `timeWindow`, in memory, optionally per key. A call
 * over the limit reserves the first slot that keeps the limit and sleeps until then (no polling,
 * no timer besides its own sleep), first come first served, costs included.
 *
 * @example
 * const limiter = new RateLimiter({ maxCalls: 10, timeWindow: 60_000 });
 * const reply = await limiter.execute(() => callPartnerApi());
 */
export class RateLimiter implements Policy<RateLimitExecuteOptions> {
  /** The clock the limiter reads time from. */
  readonly clock: Clock;
  readonly #algorithm: Algorithm<State>;
  readonly #settings: Settings;
  readonly #events = new Emitter<RateLimiterEvents>();
  /** The limiter's own budget (no key). */
  #own: State;
  /** Keyed budgets, least recently used first. */
  readonly #states = new Map<string, State>();
  readonly #queues = new Map<Key, Queue>();
  #admitted = 0;
  #rejected = 0;
  #evicted = 0;

  constructor(options: RateLimiterOptions) {
    const settings = settingsOf(options);
    this.#settings = settings;
    this.#algorithm = algorithmOf(settings);
    this.clock = settings.clock;
  }

  /**
   * Takes `cost` permits now if that delays no waiting caller, without waiting. Throws
   * `TypeError` / `RangeError` for a bad key or cost.
   */
  tryAcquire(options?: RateLimitOptions): RateLimitDecision {
    const key = checkKey(OWNER, options?.key);
    const cost = checkCost(OWNER, options?.cost, this.#settings.cost);
    const now = this.clock.now();
    const state = this.#current(key, now);
    const queue = this.#queueOf(key);
    const spare = queue ? this.#spare(queue, state, now) : this.#algorithm.remaining(state, now);
    const allowed = cost <= spare;
    const retryAfter = allowed ? 0 : this.#slotFor(queue, state, cost, now) - now;
    if (allowed && cost > 0) {
      this.#grant(key, state, cost, now, 0);
      // Callers wait: plan them again on top of this grant (their slots stay as they were).
      if (queue) this.#plan(key, queue, now);
    } else {
      if (state !== undefined) this.#save(key, state, now); // the key was used
      if (!allowed) this.#refuse(key, cost, retryAfter, 'limit');
    }
    return {
      allowed,
      limit: this.#settings.capacity,
      remaining: allowed ? spare - cost : spare,
      retryAfter,
      resetAfter: Math.max(0, this.#freshAt(queue ? queue.tail : this.#stateOf(key)) - now),
    };
  }

  /**
   * Waits until `cost` permits are granted, first come first served. Rejects with
   * `RateLimitExceededError` when they would come after `maxWait` or `maxQueue` callers wait
   * already, and with `signal.reason` when the signal aborts (the slot goes to the next caller).
   */
  acquire(options?: AcquireOptions): Promise<void> {
    return this.#run(null, options) as Promise<void>;
  }

  /**
   * Runs `fn` once its permits are granted (see `acquire`). A permit is spent when `fn` starts,
   * whether it then fails or not. Never throws synchronously.
   */
  execute<T>(fn: Task<T>, options?: RateLimitExecuteOptions): Promise<T> {
    return this.#run(fn, options) as Promise<T>;
  }

  /** `execute(task)`, or `acquire` when `task` is `null`; every failure is a rejection. */
  #run(task: Task<unknown> | null, options: RateLimitExecuteOptions | undefined): Promise<unknown> {
    try {
      if (task !== null && typeof task !== 'function') invalid('RateLimiter.execute', 'fn', 'a function', task, TypeError);
      const signal = checkSignal(OWNER, options?.signal);
      const key = checkKey(OWNER, options?.key);
      const cost = checkCost(OWNER, options?.cost, this.#settings.cost);
      if (signal?.aborted) return Promise.reject(signal.reason);
      const ctx = task && new CallContext(signal, options?.attempt ?? 1);
      return this.#enter(key, cost, signal, task, ctx) ?? (task ? runTask(task, ctx!) : Promise.resolve());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** A function with `fn`'s parameters that calls it through the limiter (its own budget). */
  wrap<Args extends unknown[], Result>(fn: (...args: Args) => Result): (...args: Args) => Promise<Awaited<Result>> {
    return wrap(this, fn);
  }

  /**
   * HTTP headers for a decision: `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-
   * headers), `Retry-After` on a refusal, in seconds; `{ legacy: true }` for the older
   * `RateLimit-Limit` / `-Remaining` / `-Reset` trio.
   */
  toHeaders(decision: RateLimitDecision, options?: RateLimitHeadersOptions): Record<string, string> {
    return rateLimitHeaders(decision, { ...options, window: this.#settings.window });
  }

  /** Forgets the permits taken for `key`, or for every key and the limiter's own budget. */
  reset(key?: string): void {
    const now = this.clock.now();
    if (key === undefined) {
      this.#own = undefined;
      this.#states.clear();
    } else if (!this.#states.delete(checkKey(OWNER, key)!)) return;
    // Waiting callers move up to the slots a fresh key gives them.
    for (const [queueKey, queue] of this.#queues) {
      if (key === undefined || queueKey === key) this.#plan(queueKey, queue, now);
    }
  }

  /** Counts since the limiter was made. */
  stats(): RateLimiterStats {
    let waiting = 0;
    for (const queue of this.#queues.values()) waiting += queue.size;
    return {
      keys: this.#states.size,
      waiting,
      admitted: this.#admitted,
      rejected: this.#rejected,
      evicted: this.#evicted,
    };
  }

  /** Listens to `acquire`, `wait` or `reject`; returns the function that stops listening. */
  on<E extends keyof RateLimiterEvents>(event: E, listener: Listener<RateLimiterEvents[E]>): () => void {
    return this.#events.on(event, listener);
  }

  #queueOf(key: Key): Queue | undefined {
    return this.#queues.size === 0 ? undefined : this.#queues.get(key);
  }

  /** The key's state at `now`, a key back to fresh dropped. */
  #current(key: Key, now: number): State {
    if (key === undefined) return this.#own;
    const state = this.#states.get(key);
    if (state === undefined || this.#queues.has(key) || this.#freshAt(state) > now) return state;
    this.#states.delete(key);
    return undefined;
  }

  #stateOf(key: Key): State {
    return key === undefined ? this.#own : this.#states.get(key);
  }

  /** Stores a key's state as its most recently used. */
  #save(key: Key, state: State, now: number): void {
    if (key === undefined) {
      this.#own = state;
      return;
    }
    const states = this.#states;
    if (!states.delete(key)) this.#makeRoom(now);
    states.set(key, state);
  }

  /**
   * Before a new key: drops the two least recently used keys if they are back to fresh, and
   * evicts least recently used keys while `maxKeys` are held. Keys with waiters stay.
   */
  #makeRoom(now: number): void {
    const states = this.#states;
    let looked = 0;
    for (const [key, state] of states) {
      const full = states.size >= this.#settings.maxKeys;
      if (!full && looked++ === 2) return;
      if (this.#queues.has(key)) continue;
      if (this.#freshAt(state) <= now) states.delete(key);
      else if (full) {
        states.delete(key);
        this.#evicted++;
      }
    }
  }

  /** Permits a `tryAcquire` could take now without delaying any waiter of `queue`. */
  #spare(queue: Queue, state: State, now: number): number {
    let low = 0;
    let high = this.#algorithm.remaining(state, now);
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (this.#delays(queue, state, now, middle)) high = middle - 1;
      else low = middle;
    }
    return low;
  }

  /**
   * Whether taking `cost` permits now would make any waiter go later than it would without them
   * (no waiter goes before its slot).
   */
  #delays(queue: Queue, state: State, now: number, cost: number): boolean {
    const algorithm = this.#algorithm;
    let withTaken = algorithm.take(this.#copy(state), cost, now);
    let without = this.#copy(state);
    let late = now;
    let onTime = now;
    for (let waiter = queue.first; waiter; waiter = waiter.next) {
      late = Math.max(waiter.slot, late, algorithm.earliest(withTaken, waiter.cost));
      onTime = Math.max(waiter.slot, onTime, algorithm.earliest(without, waiter.cost));
      if (late > onTime) return true;
      withTaken = algorithm.take(withTaken, waiter.cost, late);
      without = algorithm.take(without, waiter.cost, onTime);
    }
    return false;
  }

  #copy(state: State): State {
    return state === undefined ? undefined : this.#algorithm.copy(state);
  }

  /** The first time `cost` permits fit behind every waiter of the key. */
  #slotFor(queue: Queue | undefined, state: State, cost: number, now: number): number {
    return queue
      ? Math.max(now, queue.last!.slot, this.#algorithm.earliest(queue.tail, cost))
      : Math.max(now, this.#algorithm.earliest(state, cost));
  }

  /** When a key's state is back to that of a fresh key. */
  #freshAt(state: State): number {
    return this.#algorithm.earliest(state, this.#settings.capacity);
  }

  /**
   * Admits the call now (returns `undefined`), or reserves its slot and returns the wait, which
   * settles as `task` does when there is one: `task` starts the moment its permits are taken.
   * Throws `RateLimitExceededError` when it may not wait.
   */
  #enter(
    key: Key,
    cost: number,
    signal: AbortSignal | undefined,
    task: Task<unknown> | null,
    ctx: CallContext | null,
  ): Promise<unknown> | undefined {
    const now = this.clock.now();
    const state = this.#current(key, now);
    let queue = this.#queueOf(key);
    if (cost === 0 || (!queue && cost <= this.#algorithm.remaining(state, now))) {
      if (cost > 0) this.#grant(key, state, cost, now, 0);
      return undefined;
    }
    const slot = this.#slotFor(queue, state, cost, now);
    const delay = slot - now;
    const { maxWait, maxQueue } = this.#settings;
    const tooLate = delay > maxWait;
    if (tooLate || (queue?.size ?? 0) >= maxQueue) {
      this.#refuse(key, cost, delay, tooLate ? 'maxWait' : 'maxQueue');
      throw new RateLimitExceededError(
        { retryAfter: delay },
        `Rate limit exceeded: the permits are free in ${delay} ms, ${tooLate ? `beyond maxWait (${maxWait} ms)` : `and maxQueue (${maxQueue}) callers wait already`}`,
      );
    }
    if (!queue) {
      queue = { first: undefined, last: undefined, size: 0, tail: this.#copy(state) };
      this.#queues.set(key, queue);
    }
    queue.tail = this.#algorithm.take(queue.tail, cost, slot);
    const waiting = queue;
    return new Promise<unknown>((resolve, reject) => {
      const waiter: Waiter = {
        cost,
        arrival: now,
        slot,
        next: undefined,
        cancel: ignore,
        signal,
        stopWaiting: undefined,
        task,
        ctx,
        resolve,
        reject,
      };
      if (waiting.last) waiting.last.next = waiter;
      else waiting.first = waiter;
      waiting.last = waiter;
      waiting.size++;
      if (signal) waiter.stopWaiting = onAbort(signal, () => this.#abort(key, waiting, waiter));
      this.#arm(key, waiting, waiter, delay);
      this.#events.emit('wait', { key, cost, delay });
    });
  }

  /** Takes `cost` permits of the key at `now`, for a caller that waited `waited` ms. */
  #grant(key: Key, state: State, cost: number, now: number, waited: number): void {
    this.#save(key, this.#algorithm.take(state, cost, now), now);
    this.#admitted++;
    if (this.#events.has('acquire')) this.#events.emit('acquire', { key, cost, waited });
  }

  #refuse(key: Key, cost: number, retryAfter: number, reason: RateLimiterEvents['reject']['reason']): void {
    this.#rejected++;
    this.#events.emit('reject', { key, cost, retryAfter, reason });
  }

  /** Wakes the waiter in `delay` ms (in a microtask when `delay <= 0`). */
  #arm(key: Key, queue: Queue, waiter: Waiter, delay: number): void {
    waiter.cancel = schedule(this.clock, delay, () => {
      waiter.cancel = ignore;
      this.#admitFirst(key, queue);
    });
  }

  /**
   * The first waiter, once woken, is admitted if its permits fit now, at the time it really is
   * admitted: when the runtime woke it late, its permits count from then. If they no longer fit
   * (a caller ahead was admitted late), it waits once more, until they do. A waiter woken behind
   * one still waiting is admitted after that one: each in a microtask of its own, so that every
   * call starts before the next one's permits are taken.
   */
  #admitFirst(key: Key, queue: Queue): void {
    const first = queue.first;
    if (first === undefined || first.cancel !== ignore) return;
    const now = this.clock.now();
    const fits = this.#algorithm.earliest(this.#stateOf(key), first.cost);
    if (fits > now) {
      first.slot = fits;
      this.#arm(key, queue, first, fits - now);
      return;
    }
    this.#admit(key, queue, first);
    const next = queue.first;
    if (next && next.slot <= now) {
      next.cancel();
      this.#arm(key, queue, next, 0);
    }
  }

  /** Takes the first waiter's permits now and lets it go: `execute` starts its `fn` at once. */
  #admit(key: Key, queue: Queue, waiter: Waiter): void {
    this.#unlink(key, queue, waiter, undefined);
    // Read again: the permits count from as close to the call's start as can be.
    const now = this.clock.now();
    this.#grant(key, this.#stateOf(key), waiter.cost, now, now - waiter.arrival);
    waiter.resolve(waiter.task && runTask(waiter.task, waiter.ctx!));
  }

  #abort(key: Key, queue: Queue, waiter: Waiter): void {
    let previous: Waiter | undefined;
    for (let cursor = queue.first; cursor !== waiter; cursor = cursor.next) {
      if (cursor === undefined) return; // admitted already
      previous = cursor;
    }
    this.#unlink(key, queue, waiter, previous);
    waiter.reject(waiter.signal!.reason);
    if (queue.first) this.#plan(key, queue, this.clock.now());
  }

  #unlink(key: Key, queue: Queue, waiter: Waiter, previous: Waiter | undefined): void {
    if (previous) previous.next = waiter.next;
    else queue.first = waiter.next;
    if (queue.last === waiter) queue.last = previous;
    if (--queue.size === 0) this.#queues.delete(key);
    waiter.cancel();
    waiter.stopWaiting?.();
  }

  /**
   * Plans the waiters again from the permits taken so far, in order, as if they arrived now:
   * each moves up to the slot it would have had without the callers that left. None moves later.
   * Waiters whose slot has come are admitted in a microtask, not within the caller that made
   * room for them: their permits count from when they really start.
   */
  #plan(key: Key, queue: Queue, now: number): void {
    const algorithm = this.#algorithm;
    let tail = this.#copy(this.#stateOf(key));
    let base = now;
    for (let waiter = queue.first; waiter; waiter = waiter.next) {
      base = Math.min(Math.max(now, waiter.slot), Math.max(base, algorithm.earliest(tail, waiter.cost)));
      tail = algorithm.take(tail, waiter.cost, base);
      // A first waiter that woke behind one that left is woken again.
      if (base < waiter.slot || (waiter === queue.first && waiter.cancel === ignore)) {
        waiter.slot = Math.min(waiter.slot, base);
        waiter.cancel();
        this.#arm(key, queue, waiter, base - now);
      }
    }
    queue.tail = tail;
  }
}
