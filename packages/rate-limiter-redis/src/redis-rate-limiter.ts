import { RateLimitExceededError, systemClock, TimeoutError, type Clock, type Policy, type Task } from '@cemaf/core';
import { CallContext, Emitter, invalid, onAbort, runTask, schedule, wrap, type Listener } from '@cemaf/core/internal';
import {
  rateLimitHeaders,
  type AcquireOptions,
  type RateLimitDecision,
  type RateLimitExecuteOptions,
  type RateLimitHeadersOptions,
  type RateLimitOptions,
} from '@cemaf/rate-limiter';
import { checkCost, checkKey, checkSignal } from '@cemaf/rate-limiter/internal';
import { createScriptRunner, StoreDeadline, type ScriptRunner } from '@cemaf/redis-client';
import { limiterScript } from './limiter-script.js';
import { OWNER, settingsOf, type RedisRateLimiterOptions, type Settings } from './options.js';

/** A key, or `undefined` for the limiter's own budget. */
type Key = string | undefined;

/** The events of a `RedisRateLimiter` and their payloads. */
export interface RedisRateLimiterEvents {
  /** Permits were granted (not for `cost: 0`); `waited` is how long the caller waited, in ms. */
  acquire: { readonly key: Key; readonly cost: number; readonly waited: number };
  /** A caller of this process starts waiting `delay` ms for its permits. */
  wait: { readonly key: Key; readonly cost: number; readonly delay: number };
  /**
   * A caller was refused: `'limit'` by `tryAcquire`, `'maxWait'` when its permits would come
   * too late, `'maxQueue'` when too many of this process's callers wait already, `'storeError'`
   * when Redis failed and `onStoreError` is `'fail-closed'`. `retryAfter` is in ms. Aborted
   * waiters emit nothing: they reject with their signal's reason.
   */
  reject: {
    readonly key: Key;
    readonly cost: number;
    readonly retryAfter: number;
    readonly reason: 'limit' | 'maxWait' | 'maxQueue' | 'storeError';
  };
  /**
   * A decision could not be made in Redis (`error`: the client's error, or a `TimeoutError`
   * after `storeTimeout`), so `onStoreError` decided it: `'fail-closed'`, `'fail-open'` or
   * `'fallback'` (the in-memory limiter).
   */
  storeError: {
    readonly key: Key;
    readonly error: unknown;
    readonly onStoreError: 'fail-closed' | 'fail-open' | 'fallback';
  };
}

/** What `stats()` reports, for this process. */
export interface RedisRateLimiterStats {
  /** Callers of this process waiting for their slot, over all keys. */
  readonly waiting: number;
  /** Calls of this process granted permits so far (`cost: 0` ones not counted). */
  readonly admitted: number;
  /** Calls of this process refused so far. */
  readonly rejected: number;
  /** Decisions that Redis failed (or did not answer in time) and `onStoreError` made. */
  readonly storeErrors: number;
  /** Redis calls sent and not answered yet. */
  readonly inFlight: number;
}

/**
 * A caller whose decision is on its way, or who waits for its slot; or one that left (aborted)
 * while Redis still holds what it reserved or was granted, until that is given back.
 */
interface Waiter {
  readonly key: Key;
  readonly cost: number;
  readonly seq: string;
  readonly arrival: number;
  state: 'deciding' | 'waiting' | 'leaving' | 'done';
  /** Whether the answer to its own decision came back. */
  decided: boolean;
  /**
   * Where Redis moved it (on `clock`) before its own decision came back: the answer of a later
   * call can overtake the answer of a decision sent before it.
   */
  movedTo: number | undefined;
  /** When Redis admitted it early by moving it to now: what gives those permits back. */
  movedToken: string | undefined;
  /** Cancels its sleep when it moves up or aborts. */
  cancel: (() => void) | undefined;
  readonly signal: AbortSignal | undefined;
  /** Stops listening to `signal`, when there is one. */
  stopWaiting: (() => void) | undefined;
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
}

/**
 * What the script answers: four numbers, the server's time, then the owner's waiters that moved
 * (count, then seq, delay, token...). A first number of -1: the call came after its deadline.
 */
type Reply = readonly (string | number)[];

/** Index of the moved waiters' count in a reply. */
const MOVED = 5;
const EXPIRED = -1;

/** Whether a call goes to Redis: not while Redis is down and another call probes it. */
const enum Route {
  Skip,
  Store,
  Probe,
}



/** A hash tag per key, so that the keys of one decision share a Redis Cluster slot. */
const tagOf = (key: Key): string => (key === undefined ? '{d}' : `{k=${key}}`);

const randomId = (): string => (Math.random().toString(36).slice(2, 10) + Math.random().toString(36).slice(2, 10));

const glob = (text: string): string => text.replace(/[*?[\]\\]/g, '\\$&');

/**
 * The same limiter as `RateLimiter` from `@cemaf/rate-limiter` (options, decisions, waiting,
 * events), with its budgets in Redis: one limit shared by every process that uses the same
 * Redis and prefix. Each decision is one atomic Lua script call (`EVALSHA`), on the Redis
 * server's time.
 *
 * @example
 * const limiter = new RedisRateLimiter({ redis, maxCalls: 100, timeWindow: 60_000 });
 * const reply = await limiter.execute(() => callPartnerApi(), { key: customerId });
 */
export class RedisRateLimiter implements Policy<RateLimitExecuteOptions> {
  /** The clock that waits sleep on: the `clock` option, or `systemClock`. */
  readonly clock: Clock;
  readonly #settings: Settings;
  readonly #script: ScriptRunner;
  readonly #deadline: StoreDeadline;
  readonly #events = new Emitter<RedisRateLimiterEvents>();
  /** Tells this limiter's waiters apart from other processes' in Redis. */
  readonly #owner = randomId();
  /** The script's last argument, the settings: algorithm, limits, owner, TTL grace. */
  readonly #scriptSettings: string;
  /** This process's callers whose decision is on its way or who wait, by seq. */
  readonly #waiters = new Map<string, Waiter>();
  #waiting = 0;
  #seq = 0;
  #admitted = 0;
  #rejected = 0;
  #storeErrors = 0;
  #storeDown = false;
  #probing = false;
  #lastStoreError: unknown;
  /** Server time minus systemClock time, at most: for the deadlines of decisions. */
  #serverOffset: number | undefined;

  constructor(options: RedisRateLimiterOptions) {
    const settings = settingsOf(options);
    this.#settings = settings;
    this.clock = settings.clock ?? systemClock;
    this.#script = createScriptRunner(settings.redis, limiterScript);
    const { storeTimeout } = settings;
    this.#deadline = new StoreDeadline(
      storeTimeout,
      () =>
        new TimeoutError(
          { timeout: storeTimeout },
          `${OWNER}: Redis did not answer within storeTimeout (${storeTimeout} ms); onStoreError decided instead`,
        ),
    );
    const algorithm = { 'sliding-window': 's', 'token-bucket': 't', 'fixed-window': 'f' }[settings.algorithm];
    const none = (value: number) => (value === Infinity ? '-' : String(value));
    this.#scriptSettings = [
      algorithm,
      settings.maxCalls,
      settings.timeWindow,
      settings.capacity,
      none(settings.maxWait),
      none(settings.maxQueue),
      this.#owner,
      // Keys outlive their state by this much when the caller's clock, not Redis's, gives time.
      settings.clock === undefined ? 0 : 60_000,
    ].join(' ');
  }

  /**
   * Takes `cost` permits now if that delays no waiting caller, without waiting. Rejects with
   * `TypeError` / `RangeError` for a bad key or cost. While Redis fails, `onStoreError` decides.
   */
  async tryAcquire(options?: RateLimitOptions): Promise<RateLimitDecision> {
    const key = checkKey(OWNER, options?.key);
    const cost = checkCost(OWNER, options?.cost, this.#settings.cost);
    const route = this.#route();
    let reply: Reply;
    try {
      if (route === Route.Skip) throw this.#lastStoreError;
      reply = await this.#decide('try', tagOf(key), cost, '');
      this.#storeAnswered(route);
    } catch (error) {
      this.#storeFailed(route, error);
      return this.#decideWithoutStore(key, cost, error);
    }
    this.#moved(reply);
    const allowed = reply[0] === 1 || reply[0] === '1';
    const decision: RateLimitDecision = {
      allowed,
      limit: this.#settings.capacity,
      remaining: Number(reply[1]),
      retryAfter: Number(reply[2]),
      resetAfter: Number(reply[3]),
    };
    if (!allowed) this.#refused(key, cost, decision.retryAfter, 'limit');
    else if (cost > 0) this.#granted(key, cost, 0);
    return decision;
  }

  /**
   * Waits until `cost` permits are granted, first come first served among this process's
   * callers. Rejects with `RateLimitExceededError` when they would come after `maxWait` or
   * `maxQueue` callers wait already, and with `signal.reason` when the signal aborts (the slot
   * goes to the next caller).
   */
  acquire(options?: AcquireOptions): Promise<void> {
    try {
      const signal = checkSignal(OWNER, options?.signal);
      const key = checkKey(OWNER, options?.key);
      const cost = checkCost(OWNER, options?.cost, this.#settings.cost);
      if (signal?.aborted) return Promise.reject(signal.reason);
      return this.#enter(key, cost, signal) ?? Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Runs `fn` once its permits are granted (see `acquire`). A permit is spent when `fn` starts,
   * whether it then fails or not. Never throws synchronously.
   */
  execute<T>(fn: Task<T>, options?: RateLimitExecuteOptions): Promise<T> {
    try {
      if (typeof fn !== 'function') invalid(`${OWNER}.execute`, 'fn', 'a function', fn, TypeError);
      const signal = checkSignal(OWNER, options?.signal);
      const key = checkKey(OWNER, options?.key);
      const cost = checkCost(OWNER, options?.cost, this.#settings.cost);
      if (signal?.aborted) return Promise.reject(signal.reason);
      const ctx = new CallContext(signal, options?.attempt ?? 1);
      const wait = this.#enter(key, cost, signal);
      return wait ? wait.then(() => runTask(fn, ctx)) : runTask(fn, ctx);
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
    return rateLimitHeaders(decision, { name: options?.name, legacy: options?.legacy, window: this.#settings.window });
  }

  /**
   * Forgets the permits taken for `key` in Redis, for every process; without a key, those of
   * every key under the prefix and of the limiter's own budget (found with `SCAN` on every
   * master). Waiting callers of this process move up. The fallback limiter is reset too.
   */
  async reset(key?: string): Promise<void> {
    checkKey(OWNER, key);
    const fallback = this.#settings.onStoreError;
    if (typeof fallback === 'object') (fallback as { reset?: (key?: string) => unknown }).reset?.(key);
    if (key !== undefined) {
      this.#moved(await this.#call('reset', tagOf(key), 0, ''));
      return;
    }
    const { redis, prefix } = this.#settings;
    if (redis.scan === undefined) {
      throw new TypeError(`${OWNER}.reset: resetting every key needs a client that can scan (RedisClientAdapter.scan); pass a key`);
    }
    const tags = new Set<string>([tagOf(undefined)]);
    for await (const name of redis.scan(`${glob(prefix)}{*`)) {
      const tag = name.slice(prefix.length).replace(/:[ql]$/, '');
      if (tag.startsWith('{') && tag.endsWith('}')) tags.add(tag);
    }
    for (const tag of tags) this.#moved(await this.#call('reset', tag, 0, ''));
  }

  /** Counts of this process since the limiter was made. */
  stats(): RedisRateLimiterStats {
    return {
      waiting: this.#waiting,
      admitted: this.#admitted,
      rejected: this.#rejected,
      storeErrors: this.#storeErrors,
      inFlight: this.#deadline.inFlight,
    };
  }

  /** Listens to `acquire`, `wait`, `reject` or `storeError`; returns the function that stops listening. */
  on<E extends keyof RedisRateLimiterEvents>(event: E, listener: Listener<RedisRateLimiterEvents[E]>): () => void {
    return this.#events.on(event, listener);
  }

  /**
   * Runs a decision (`try`, `enter`) with a deadline in the server's time, so that Redis drops
   * it if it arrives after the caller gave up. Sent again once if it was dropped on time by our
   * reckoning (the server's clock jumped ahead).
   */
  async #decide(op: string, tag: string, cost: number, seq: string): Promise<Reply> {
    for (let attempt = 1; ; attempt++) {
      const sent = systemClock.now();
      const reply = await this.#call(op, tag, cost, seq, true);
      if (this.#settings.clock === undefined) this.#learnServerTime(reply, sent);
      if (Number(reply[0]) !== EXPIRED) return reply;
      if (attempt === 2) throw new Error(`${OWNER}: Redis dropped the decision as late twice; its clock may be jumping`);
    }
  }

  /** Runs the script for one key, bounded by `storeTimeout`. */
  #call(op: string, tag: string, cost: number, seq: string, deadline = false): Promise<Reply> {
    const { prefix, clock, storeTimeout } = this.#settings;
    const base = prefix + tag;
    const offset = this.#serverOffset;
    return this.#deadline.watch(
      this.#script(
        [base, `${base}:q`, `${base}:l`, `${base}:c`],
        [
          op,
          clock === undefined ? '' : String(clock.now()),
          cost,
          seq,
          deadline && clock === undefined && offset !== undefined ? String(systemClock.now() + offset + storeTimeout) : '',
          this.#scriptSettings,
        ],
      ) as Promise<Reply>,
    );
  }

  /**
   * Keeps a lower bound of (server time - systemClock time) from a reply: the script ran before
   * the reply came back. A bound far below the kept one means the server's clock went back.
   */
  #learnServerTime(reply: Reply, sent: number): void {
    const received = systemClock.now();
    // The server's time comes back as TIME gives it: seconds.
    const lower = Number(reply[4]) * 1_000 - received;
    const kept = this.#serverOffset;
    const { storeTimeout } = this.#settings;
    if (received - sent < storeTimeout && (kept === undefined || lower > kept || lower < kept - storeTimeout)) {
      this.#serverOffset = lower;
    }
  }

  /** While Redis is down, one call at a time probes it; the others decide without it at once. */
  #route(): Route {
    if (!this.#storeDown) return Route.Store;
    if (this.#probing) return Route.Skip;
    this.#probing = true;
    return Route.Probe;
  }

  #storeAnswered(route: Route): void {
    if (route === Route.Probe) this.#probing = false;
    this.#storeDown = false;
  }

  #storeFailed(route: Route, error: unknown): void {
    if (route === Route.Probe) this.#probing = false;
    if (route !== Route.Skip) {
      this.#storeDown = true;
      this.#lastStoreError = error;
    }
    this.#storeErrors++;
  }

  #reportStoreError(key: Key, error: unknown): 'fail-closed' | 'fail-open' | 'fallback' {
    const mode = this.#settings.onStoreError;
    const name = typeof mode === 'object' ? 'fallback' : mode;
    if (this.#events.has('storeError')) this.#events.emit('storeError', { key, error, onStoreError: name });
    return name;
  }

  #decideWithoutStore(key: Key, cost: number, error: unknown): RateLimitDecision {
    const { capacity: limit, onStoreError, storeTimeout } = this.#settings;
    const mode = this.#reportStoreError(key, error);
    if (mode === 'fallback') {
      const decision = (onStoreError as { tryAcquire(options: RateLimitOptions): RateLimitDecision }).tryAcquire({ key, cost });
      if (!decision.allowed) this.#refused(key, cost, decision.retryAfter, 'limit');
      else if (cost > 0) this.#granted(key, cost, 0);
      return decision;
    }
    if (mode === 'fail-open') {
      if (cost > 0) this.#granted(key, cost, 0);
      return { allowed: true, limit, remaining: limit - cost, retryAfter: 0, resetAfter: 0 };
    }
    this.#refused(key, cost, storeTimeout, 'storeError');
    return { allowed: false, limit, remaining: 0, retryAfter: storeTimeout, resetAfter: 0 };
  }

  #granted(key: Key, cost: number, waited: number): void {
    this.#admitted++;
    if (this.#events.has('acquire')) this.#events.emit('acquire', { key, cost, waited });
  }

  #refused(key: Key, cost: number, retryAfter: number, reason: RedisRateLimiterEvents['reject']['reason']): void {
    this.#rejected++;
    if (this.#events.has('reject')) this.#events.emit('reject', { key, cost, retryAfter, reason });
  }

  /** Asks Redis for the call's slot; undefined when it may go at once without asking. */
  #enter(key: Key, cost: number, signal: AbortSignal | undefined): Promise<void> | undefined {
    if (cost === 0) return undefined;
    const route = this.#route();
    if (route === Route.Skip) return this.#enterWithoutStore(key, cost, signal, this.#lastStoreError, route);
    const seq = String(++this.#seq);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        key,
        cost,
        seq,
        arrival: this.clock.now(),
        state: 'deciding',
        decided: false,
        movedTo: undefined,
        movedToken: undefined,
        cancel: undefined,
        signal,
        stopWaiting: undefined,
        resolve,
        reject,
      };
      if (signal) waiter.stopWaiting = onAbort(signal, () => this.#abort(waiter));
      this.#waiters.set(seq, waiter);
      this.#decide('enter', tagOf(key), cost, seq).then(
        (reply) => this.#entered(waiter, reply, route),
        (error: unknown) => this.#enterFailed(waiter, error, route),
      );
    });
  }

  #entered(waiter: Waiter, reply: Reply, route: Route): void {
    this.#storeAnswered(route);
    waiter.decided = true;
    const status = Number(reply[0]);
    const delay = Number(reply[2]);
    if (waiter.state === 'leaving') {
      // Aborted while Redis decided: an abort is never counted, so give back what was taken: a
      // permit granted at once, a reserved slot, or the permits of a move to now.
      if (status === 0) this.#giveBack(waiter, String(reply[2]), true);
      else if (status === 1 && waiter.movedToken !== undefined) this.#giveBack(waiter, waiter.movedToken, true);
      else if (status === 1) this.#cancel(waiter);
      else this.#forget(waiter);
      return;
    }
    const { key, cost } = waiter;
    if (status === 0) {
      this.#settle(waiter);
      this.#granted(key, cost, 0);
      waiter.resolve();
    } else if (status === 1) {
      const wait = waiter.movedTo === undefined ? delay : Math.min(delay, waiter.movedTo - this.clock.now());
      waiter.state = 'waiting';
      this.#waiting++;
      if (this.#events.has('wait')) this.#events.emit('wait', { key, cost, delay: Math.max(0, wait) });
      if (wait > 0) this.#sleep(waiter, wait);
      else this.#wake(waiter);
    } else {
      this.#settle(waiter);
      const tooLate = status === 2;
      const { maxWait, maxQueue } = this.#settings;
      this.#refused(key, cost, delay, tooLate ? 'maxWait' : 'maxQueue');
      waiter.reject(
        new RateLimitExceededError(
          { retryAfter: delay },
          tooLate
            ? `Rate limit exceeded: the permits are free in ${delay} ms, beyond maxWait (${maxWait} ms)`
            : `Rate limit exceeded: ${maxQueue} callers wait already (maxQueue); permits are free in ${delay} ms`,
        ),
      );
    }
  }

  #enterFailed(waiter: Waiter, error: unknown, route: Route): void {
    this.#storeFailed(route, error);
    if (waiter.state === 'leaving') {
      this.#forget(waiter);
      this.#reportStoreError(waiter.key, error);
      return;
    }
    this.#settle(waiter);
    this.#enterWithoutStore(waiter.key, waiter.cost, waiter.signal, error, Route.Store).then(waiter.resolve, waiter.reject);
  }

  /** Decides an `acquire` as `onStoreError` says. */
  #enterWithoutStore(key: Key, cost: number, signal: AbortSignal | undefined, error: unknown, route: Route): Promise<void> {
    if (route === Route.Skip) this.#storeErrors++;
    const { onStoreError, storeTimeout } = this.#settings;
    const mode = this.#reportStoreError(key, error);
    if (mode === 'fallback') {
      return (onStoreError as { acquire(options: AcquireOptions): Promise<void> }).acquire({ key, cost, signal }).then(
        () => this.#granted(key, cost, 0),
        (reason: unknown) => {
          if ((reason as { code?: unknown } | null)?.code === 'RATE_LIMITED') {
            this.#refused(key, cost, (reason as RateLimitExceededError).retryAfter, 'limit');
          }
          throw reason;
        },
      );
    }
    if (mode === 'fail-open') {
      this.#granted(key, cost, 0);
      return Promise.resolve();
    }
    this.#refused(key, cost, storeTimeout, 'storeError');
    const refusal = new RateLimitExceededError(
      { retryAfter: storeTimeout },
      `Rate limit not checked: Redis failed and onStoreError is 'fail-closed', so the call was refused; see cause`,
    );
    (refusal as { cause?: unknown }).cause = error;
    return Promise.reject(refusal);
  }

  /** The waiter is done with (admitted or refused): no more abort listener, no more sleep. */
  #settle(waiter: Waiter, state: 'leaving' | 'done' = 'done'): void {
    if (waiter.state === 'waiting') this.#waiting--;
    waiter.state = state;
    waiter.cancel?.();
    if (state === 'done') this.#waiters.delete(waiter.seq);
    waiter.stopWaiting?.();
  }

  /** A waiter that left has nothing more in Redis. */
  #forget(waiter: Waiter): void {
    waiter.state = 'done';
    this.#waiters.delete(waiter.seq);
  }

  #sleep(waiter: Waiter, delay: number): void {
    const cancel: () => void = schedule(this.clock, delay, () => {
      if (waiter.cancel === cancel) this.#wake(waiter);
    });
    waiter.cancel = cancel;
  }

  #wake(waiter: Waiter): void {
    if (waiter.state !== 'waiting') return;
    this.#settle(waiter);
    this.#granted(waiter.key, waiter.cost, this.clock.now() - waiter.arrival);
    waiter.resolve();
  }

  #abort(waiter: Waiter): void {
    if (waiter.state !== 'deciding' && waiter.state !== 'waiting') return;
    const waiting = waiter.state === 'waiting';
    this.#settle(waiter, 'leaving');
    waiter.reject(waiter.signal!.reason);
    // A waiter gives its slot back now; one still deciding does when its answer comes.
    if (waiting) this.#cancel(waiter);
  }

  /** Gives an aborted waiter's slot back in Redis; this process's waiters behind it move up. */
  #cancel(waiter: Waiter): void {
    this.#call('cancel', tagOf(waiter.key), 0, waiter.seq).then(
      (reply) => {
        this.#forget(waiter);
        this.#moved(reply);
      },
      (error: unknown) => {
        // The slot stays taken until it passes: the limit still holds.
        this.#forget(waiter);
        this.#storeErrors++;
        this.#reportStoreError(waiter.key, error);
      },
    );
  }

  /** Gives back permits granted to a caller that left before it heard. */
  #giveBack(waiter: Waiter, token: string, last: boolean): void {
    this.#call('refund', tagOf(waiter.key), waiter.cost, token).then(
      (reply) => {
        if (last) this.#forget(waiter);
        this.#moved(reply);
      },
      (error: unknown) => {
        // The permits stay spent until they expire: the limit still holds.
        if (last) this.#forget(waiter);
        this.#storeErrors++;
        this.#reportStoreError(waiter.key, error);
      },
    );
  }

  /**
   * Re-arms the waiters that Redis moved up. Delay 0: Redis admitted them now; if one of them
   * has left meanwhile, its permits are given back.
   */
  #moved(reply: Reply): void {
    const count = Number(reply[MOVED]);
    for (let index = 0; index < count; index++) {
      const at = MOVED + 1 + 3 * index;
      const waiter = this.#waiters.get(String(reply[at]));
      if (waiter === undefined) continue;
      const delay = Number(reply[at + 1]);
      const token = delay <= 0 ? String(reply[at + 2]) : undefined;
      if (waiter.state === 'leaving') {
        if (token === undefined) continue;
        if (waiter.decided) this.#giveBack(waiter, token, false);
        else waiter.movedToken = token;
      } else if (waiter.state === 'deciding') {
        waiter.movedTo = this.clock.now() + delay;
        waiter.movedToken = token;
      } else if (waiter.state === 'waiting') {
        waiter.cancel?.();
        if (delay > 0) this.#sleep(waiter, delay);
        else this.#wake(waiter);
      }
    }
  }
}
