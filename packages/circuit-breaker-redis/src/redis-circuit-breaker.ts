import { systemClock, TimeoutError, type Clock, type ExecuteOptions, type Listener, type Policy, type Task } from '@cemaf/core';
import { CallContext, Emitter, invalid, onAbort, runTask, wrap } from '@cemaf/core/internal';
import {
  CircuitBreaker,
  type CircuitBreakerEvents,
  type CircuitBreakerSnapshot,
  type CircuitBreakerStats,
  type CircuitState,
} from '@cemaf/circuit-breaker';
import {
  admit,
  closed,
  due,
  halfOpen,
  rejectSoon,
  rejection,
  release,
  retryAfter,
  stateOf,
  toSnapshot,
  type BreakerSettings,
  type Circuit,
  type HalfOpen,
} from '@cemaf/circuit-breaker/internal';
import { createScriptRunner, StoreDeadline, type RedisArgument, type RedisSubscription, type ScriptRunner } from '@cemaf/redis-client';
import { breakerScript } from './breaker-script.js';
import { OWNER, settingsOf, type RedisCircuitBreakerOptions, type Settings } from './options.js';
import { parseState, type SharedState } from './shared-state.js';
import { createTally, type Tally } from './tally.js';
import { unrefTimer } from './unref-timer.js';

/** The events of a `RedisCircuitBreaker`: `CircuitBreaker`'s, and where decisions are made. */
export interface RedisCircuitBreakerEvents extends CircuitBreakerEvents {
  /**
   * Redis failed (`error`: the client's error, or a `TimeoutError` after `storeTimeout`): this
   * process now protects itself with a local `CircuitBreaker` with the same options, starting
   * from the shared state it last knew.
   */
  fallback: { readonly error: unknown };
  /** Redis answers again: this process follows the shared circuit again, `after` ms (real time) of deciding alone. */
  rejoin: { readonly after: number };
}

/** What `stats()` returns: `CircuitBreaker`'s stats, for this process, and its link to Redis. */
export interface RedisCircuitBreakerStats extends CircuitBreakerStats {
  /** `'shared'` while the circuit in Redis decides; `'local'` while Redis fails and the local breaker does. */
  readonly mode: 'shared' | 'local';
  /** Outcomes of this process not reported to Redis yet. */
  readonly pending: number;
  /** Calls to Redis sent and not answered yet. */
  readonly inFlight: number;
  /** Calls to Redis that failed or timed out. */
  readonly storeErrors: number;
}

/**
 * Ends an isolation; calling it again does nothing. The promise settles once Redis has the
 * release (it never rejects). Also a `Disposable`, for `using`.
 */
export type RedisIsolationRelease = (() => Promise<void>) & Disposable;

/** A closed period of the shared circuit (one generation), with the outcome handlers its plain calls share. */
interface Period {
  readonly generation: number;
  readonly tally: Tally;
  readonly succeeded: (value: unknown) => unknown;
  readonly failed: (error: unknown) => unknown;
}

/** While Redis fails: the local breaker that decides, since when, and the isolation it holds for others. */
interface Local {
  readonly breaker: CircuitBreaker;
  /** systemClock time when it took over. */
  readonly since: number;
  readonly othersIsolation: (() => void) | undefined;
}

/** What the script answers: the server's time, the circuit's state, and whether a trial slot was granted. */
interface Reply {
  readonly now: number;
  /** The clock's reading when the call was sent. */
  readonly sentAt: number;
  readonly state: SharedState;
  readonly granted: boolean;
}

/** Reads the script's answer; throws a `TypeError` for anything else (a store error, then). */
function replyOf(answer: unknown, sentAt: number): Reply {
  const [now, state, granted] = Array.isArray(answer) ? (answer as unknown[]) : [];
  return { now: Number(now), sentAt, state: parseState(state), granted: Number(granted) === 1 };
}

const EMPTY_WINDOW = { calls: 0, failures: 0, slowCalls: 0 };
const RESOLVED: Promise<void> = Promise.resolve();
const ignore = (): void => undefined;
/** Real ms between two attempts to reach Redis again while it fails (each one a call's doing, no timer). */
const PROBE_INTERVAL = 250;

const randomId = (): string => Math.random().toString(36).slice(2, 10) + Math.random().toString(36).slice(2, 10);

/**
 * One circuit breaker shared by every process that uses the same Redis and `name`: once the
 * failures counted over all of them cross the threshold, every process turns calls away; trial
 * calls in half-open are counted over all of them. The same options, states, errors, events and
 * `execute` as `CircuitBreaker` from `@cemaf/circuit-breaker`.
 *
 * While closed, calls go through without waiting for Redis: their outcomes are reported in
 * batches, and transitions reach every process through pub/sub. When Redis fails, each process
 * falls back to a local `CircuitBreaker` until Redis answers again. `close()` releases what the
 * breaker opened (never the client it was given).
 *
 * @example
 * const payments = new RedisCircuitBreaker({ redis, name: 'payments', failureThreshold: 5, resetTimeout: 60_000 });
 * const receipt = await payments.execute(({ signal }) => charge(order, { signal }));
 */
export class RedisCircuitBreaker implements Policy {
  /** The circuit's name, as given. */
  readonly name: string;
  readonly #settings: Settings;
  readonly #breaker: BreakerSettings;
  readonly #clock: Clock;
  readonly #run: ScriptRunner;
  readonly #deadline: StoreDeadline;
  #events: Emitter<RedisCircuitBreakerEvents> | undefined;
  readonly #subscription: RedisSubscription | undefined;

  /** The shared circuit as this process knows it. */
  #circuit: Circuit = closed();
  #generation = -Infinity;
  /** Set exactly while the known circuit is closed and Redis decides: the plain calls' fast path. */
  #period: Period | undefined;
  /** This process's trial requests and trials in the current half-open generation. */
  #ownTrials = 0;
  /** When (on `clock`) a refused half-open or an isolation is worth asking Redis about again. */
  #recheckAt = Infinity;
  /** Server time minus `clock` time, learned from answers (server time only). */
  #serverOffset = 0;
  /** Trial leases of this process, by id: their generation. */
  readonly #leases = new Map<string, number>();
  /** Isolation holds of this process, by id: the local breaker's release while Redis fails. */
  readonly #holds = new Map<string, (() => void) | undefined>();

  #local: Local | undefined;
  #syncing: Promise<void> | undefined;
  #probing = false;
  #probeAgain = false;
  #lastProbe = -Infinity;
  #flushTimer: (() => void) | undefined;
  #flushing: Promise<void> | undefined;
  #queuedFlush: Promise<void> | undefined;
  #renewTimer: (() => void) | undefined;
  #closing: Promise<void> | undefined;
  /** While rejoining: transitions are not reported one by one (see `#rejoin`). */
  #quiet = false;

  #successes = 0;
  #failures = 0;
  #ignored = 0;
  #rejections = 0;
  #timesOpened = 0;
  #storeErrors = 0;

  /** @throws TypeError or RangeError for a bad option, naming it. */
  constructor(options: RedisCircuitBreakerOptions) {
    const settings = (this.#settings = settingsOf(options));
    this.name = settings.name;
    this.#breaker = settings.breaker;
    this.#clock = settings.breaker.clock;
    this.#run = createScriptRunner(settings.redis, breakerScript);
    const { storeTimeout } = settings;
    this.#deadline = new StoreDeadline(
      storeTimeout,
      () =>
        new TimeoutError(
          { timeout: storeTimeout },
          `${OWNER}: Redis did not answer within storeTimeout (${storeTimeout} ms); this process decides with its local breaker until Redis answers again`,
        ),
    );
    // Calls wait for this first answer: a process that starts while the circuit is open never
    // calls the failing service.
    this.#syncing = this.#call('sync', [settings.initialState]).then(
      (reply) => this.#answered(reply),
      (error: unknown) => this.#storeFailed(error),
    );
    void this.#syncing.then(() => (this.#syncing = undefined));
    this.#subscription = settings.redis.subscribe?.(settings.channel, {
      message: (text) => this.#heard(text),
      // Subscribed (again): catch up on what was published before.
      ready: () => void (this.#local === undefined ? this.#sync() : this.#probe(true)),
    });
  }

  /**
   * `'closed'`, `'open'` or `'half-open'`, as this process knows the shared circuit (or as its
   * local breaker has it, while Redis fails). An isolated circuit reads `'open'`.
   */
  get state(): CircuitState {
    return this.#local?.breaker.state ?? stateOf(this.#current());
  }

  /**
   * Runs `fn` unless the shared circuit is open, or half-open with every trial slot (over all
   * processes) taken: then rejects with `CircuitOpenError` without calling it. Settles with
   * `fn`'s outcome. Never throws synchronously.
   */
  execute<T>(fn: Task<T>, options?: ExecuteOptions): Promise<T> {
    try {
      const signal = options?.signal;
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (typeof fn !== 'function') invalid(OWNER, 'fn', 'a function', fn, TypeError);
      const period = this.#period;
      if (period !== undefined && signal === undefined && !this.#timed()) {
        // Closed: no round trip; the outcome is reported later, with others.
        return runTask(fn, new CallContext(undefined, options?.attempt ?? 1)).then(period.succeeded, period.failed) as Promise<T>;
      }
      return this.#decide(fn, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** A function with `fn`'s parameters that calls `fn` through the breaker. */
  wrap<Args extends unknown[], Result>(fn: (...args: Args) => Result): (...args: Args) => Promise<Awaited<Result>> {
    return wrap(this, fn);
  }

  /**
   * Holds the shared circuit open, in every process, until the returned release is called: every
   * call is rejected with `CircuitOpenError` (`isolated: true`, `retryAfter: Infinity`). It takes
   * effect here at once, and in the other processes when they hear of it. Isolations nest, over
   * all processes; when the last is released, the circuit closes with fresh counts. An isolation
   * is a lease this process renews: if the process dies, it ends after `leaseTime`.
   */
  isolate(): RedisIsolationRelease {
    const id = randomId();
    const local = this.#local;
    this.#holds.set(id, local?.breaker.isolate());
    if (local === undefined && this.#closing === undefined) {
      if (this.#circuit.state !== 'isolated') {
        // Between this generation and the next, so that nothing older overrides it.
        this.#transition(Math.floor(this.#generation) + 0.5, { state: 'isolated', holds: 1 });
      }
      void this.#send('isolate', [id]);
      this.#armRenewal();
    }
    let held = true;
    const release = (() => {
      if (!held) return RESOLVED;
      held = false;
      this.#holds.get(id)?.();
      this.#holds.delete(id);
      if (this.#local !== undefined || this.#closing !== undefined) return RESOLVED;
      return this.#send('release', [id]);
    }) as RedisIsolationRelease;
    // Read when called, so a Symbol.dispose polyfill loaded later is still found.
    release[Symbol.dispose ?? Symbol.for('Symbol.dispose')] = () => void release();
    return release;
  }

  /**
   * Closes the shared circuit with fresh counts, for every process, and zeroes this process's
   * stats; resolves once Redis has it (it never rejects). Calls still running count nowhere. An
   * isolation stays: only its releases end it. While Redis fails, only the local breaker is reset.
   */
  reset(): Promise<void> {
    this.#successes = this.#failures = this.#ignored = this.#rejections = this.#timesOpened = 0;
    const local = this.#local;
    if (local !== undefined) {
      local.breaker.reset();
      return RESOLVED;
    }
    return this.#closing === undefined ? this.#send('reset', []) : RESOLVED;
  }

  /** Counts and state, for dashboards and health checks: this process's view of the shared circuit. */
  stats(): RedisCircuitBreakerStats {
    const link = {
      pending: this.#period?.tally.pending ?? 0,
      inFlight: this.#deadline.inFlight,
      storeErrors: this.#storeErrors,
    };
    const local = this.#local;
    if (local !== undefined) {
      const stats = local.breaker.stats();
      return {
        ...stats,
        successes: stats.successes + this.#successes,
        failures: stats.failures + this.#failures,
        ignored: stats.ignored + this.#ignored,
        rejections: stats.rejections + this.#rejections,
        timesOpened: stats.timesOpened + this.#timesOpened,
        mode: 'local',
        ...link,
      };
    }
    const circuit = this.#current();
    const counts = this.#period?.tally.counts();
    const stats = {
      state: stateOf(circuit),
      isolated: circuit.state === 'isolated',
      retryAfter: retryAfter(circuit, this.#clock.now()),
      successes: this.#successes,
      failures: this.#failures,
      ignored: this.#ignored,
      rejections: this.#rejections,
      timesOpened: this.#timesOpened,
      recentFailures: counts?.recentFailures ?? 0,
      mode: 'shared' as const,
      ...link,
    };
    return this.#breaker.window === undefined ? stats : { ...stats, window: counts?.window ?? EMPTY_WINDOW };
  }

  /**
   * The circuit as plain JSON, free of clock readings, as `CircuitBreaker.toJSON()` gives it: for
   * `initialState` of a breaker that starts where Redis has nothing (or of an in-memory one).
   */
  toJSON(): CircuitBreakerSnapshot {
    const local = this.#local;
    if (local !== undefined) return local.breaker.toJSON();
    const now = this.#clock.now();
    const circuit = this.#current();
    const counted = circuit.state === 'closed' ? closed(this.#period?.tally.counts().recentFailures, now) : circuit;
    return toSnapshot(counted, this.#breaker, now);
  }

  /** Listens to an event; returns the function that stops listening. */
  on<E extends keyof RedisCircuitBreakerEvents>(event: E, listener: Listener<RedisCircuitBreakerEvents[E]>): () => void {
    return (this.#events ??= new Emitter()).on(event, listener);
  }

  /**
   * Reports the outcomes not reported yet, gives back this process's trial slots and isolations,
   * ends the pub/sub connection and the timers; the client passed as `redis` stays open. Calls
   * made afterwards are rejected. Resolves when done (within `storeTimeout`); never rejects.
   */
  close(): Promise<void> {
    return (this.#closing ??= this.#shutDown());
  }

  declare readonly [Symbol.asyncDispose]: () => Promise<void>;

  static {
    // Where the runtime has no Symbol.asyncDispose, under the name polyfills use.
    Object.defineProperty(this.prototype, Symbol.asyncDispose ?? Symbol.for('Symbol.asyncDispose'), {
      value(this: RedisCircuitBreaker) {
        return this.close();
      },
      writable: true,
      configurable: true,
    });
  }

  async #shutDown(): Promise<void> {
    this.#flushTimer?.();
    this.#renewTimer?.();
    this.#flushTimer = this.#renewTimer = undefined;
    const work: Promise<unknown>[] = [];
    if (this.#local === undefined) {
      work.push(this.#flush());
      for (const [id, generation] of this.#leases) work.push(this.#call('end', [id, String(generation), 'r', '0']));
      for (const id of this.#holds.keys()) work.push(this.#call('release', [id]));
    }
    this.#leases.clear();
    this.#holds.clear();
    this.#period = undefined;
    work.push(this.#subscription?.close() ?? RESOLVED);
    await Promise.allSettled(work);
  }

  /** The known circuit now, after the lazy open -> half-open step. */
  #current(): Circuit {
    const circuit = this.#circuit;
    if (circuit.state === 'open') this.#become(due(circuit, this.#clock.now()));
    return this.#circuit;
  }

  /** Whether calls are timed: for slow calls, or for someone listening to their outcomes. */
  #timed(): boolean {
    const events = this.#events;
    return (
      (this.#breaker.window?.slowCallDuration ?? Infinity) < Infinity ||
      (events !== undefined && (events.has('success') || events.has('failure')))
    );
  }

  /** Every call that is not a plain closed one. */
  #decide<T>(fn: Task<T>, options: ExecuteOptions | undefined): Promise<T> {
    if (this.#closing !== undefined) {
      return Promise.reject(new Error(`${OWNER}: this breaker was closed (close() was called); make a new one`));
    }
    const local = this.#local;
    if (local !== undefined) {
      this.#probe();
      return local.breaker.execute(fn, options);
    }
    const syncing = this.#syncing;
    if (syncing !== undefined) return this.#after(syncing, fn, options);
    const signal = options?.signal;
    const ctx = new CallContext(signal, options?.attempt ?? 1);
    const circuit = this.#current();
    const period = this.#period;
    if (period !== undefined) return this.#watch(fn, ctx, signal, period);
    if (this.#clock.now() >= this.#recheckAt) {
      // A refused half-open, or an isolation, whose first lease has run out: ask Redis again.
      this.#recheckAt = Infinity;
      if (circuit.state === 'half-open') circuit.trials = this.#ownTrials;
      else return this.#after(this.#sync(), fn, options);
    }
    if (circuit.state === 'half-open' && admit(circuit, this.#breaker)) return this.#trial(fn, ctx, options, circuit);
    return this.#reject(circuit);
  }

  /** Runs the call once `wait` (an answer from Redis) is over; a caller that aborts meanwhile leaves at once. */
  #after<T>(wait: Promise<void>, fn: Task<T>, options: ExecuteOptions | undefined): Promise<T> {
    const signal = options?.signal;
    if (signal === undefined) return wait.then(() => this.execute(fn, options));
    return new Promise<T>((resolve, reject) => {
      const stopWaiting = onAbort(signal, () => reject(signal.reason));
      void wait.then(() => {
        stopWaiting();
        if (!signal.aborted) resolve(this.execute(fn, options));
      });
    });
  }

  #reject(circuit: Circuit): Promise<never> {
    this.#rejections++;
    const error = rejection(circuit, this.#clock.now());
    this.#events?.emit('reject', { state: stateOf(circuit) as 'open' | 'half-open', error });
    return rejectSoon(error);
  }

  /** A call made while closed that needs handlers of its own: timed, or with a signal. */
  #watch<T>(fn: Task<T>, ctx: CallContext, signal: AbortSignal | undefined, period: Period): Promise<T> {
    const clock = this.#clock;
    const start = this.#timed() ? clock.now() : Number.NaN;
    const ended = (failed: boolean, error: unknown): Promise<void> | undefined => {
      // An abort counts as nothing.
      if (signal?.aborted) {
        this.#ignored++;
        return undefined;
      }
      return this.#countClosed(period, failed, error, Number.isNaN(start) ? start : clock.now() - start);
    };
    return runTask(fn, ctx).then(
      (value) => {
        const opening = ended(false, undefined);
        return opening === undefined ? value : opening.then(() => value);
      },
      (error: unknown) => {
        const opening = ended(true, error);
        if (opening === undefined) throw error;
        return opening.then(() => {
          throw error;
        });
      },
    );
  }

  /**
   * Counts the outcome of a call admitted in `period`, if `isFailure` lets a failure count.
   * Returns a promise when the outcome opens the circuit by this process's count: it is then
   * reported at once, and the call settles once Redis has it. Throws what `isFailure` threw,
   * after counting the failure.
   */
  #countClosed(period: Period, failed: boolean, error: unknown, duration: number): Promise<void> | undefined {
    const { isFailure } = this.#breaker;
    if (failed && isFailure !== undefined) {
      let counts: unknown;
      try {
        counts = isFailure(error);
      } catch (thrown) {
        void this.#recordClosed(period, true, error, duration);
        throw thrown;
      }
      if (!counts) {
        this.#ignored++;
        return undefined;
      }
    }
    return this.#recordClosed(period, failed, error, duration);
  }

  #recordClosed(period: Period, failed: boolean, error: unknown, duration: number): Promise<void> | undefined {
    if (failed) this.#failures++;
    else this.#successes++;
    const events = this.#events;
    if (failed) {
      if (events?.has('failure')) events.emit('failure', { error, duration });
    } else if (events?.has('success')) {
      events.emit('success', { duration });
    }
    // A call admitted in an earlier period counts nowhere.
    if (period !== this.#period) return undefined;
    const opens = period.tally.add(failed, duration > (this.#breaker.window?.slowCallDuration ?? Infinity));
    if (opens) return this.#flush();
    this.#armFlush();
    return undefined;
  }

  #newPeriod(generation: number): Period {
    const period: Period = {
      generation,
      tally: createTally(this.#breaker, this.#settings.serverTime ? (now) => now + this.#serverOffset : (now) => now),
      succeeded: (value) => {
        void this.#recordClosed(period, false, undefined, Number.NaN);
        return value;
      },
      failed: (error) => {
        const opening = this.#countClosed(period, true, error, Number.NaN);
        if (opening === undefined) throw error;
        return opening.then(() => {
          throw error;
        });
      },
    };
    return period;
  }

  /** A half-open trial call: a slot is asked of Redis first (a lease that this process renews). */
  async #trial<T>(fn: Task<T>, ctx: CallContext, options: ExecuteOptions | undefined, circuit: HalfOpen): Promise<T> {
    const asked = this.#generation;
    const id = randomId();
    this.#ownTrials++;
    let granted: boolean;
    let generation: number;
    let stillOpen: SharedState | undefined;
    try {
      const reply = await this.#call('trial', [id]);
      granted = reply.granted;
      generation = reply.state.generation;
      if (reply.state.state === 'o') stillOpen = reply.state;
      if (this.#generation === asked) this.#ownTrials--;
      this.#answered(reply);
    } catch (error) {
      if (this.#generation === asked) {
        this.#ownTrials--;
        if (this.#circuit === circuit) circuit.trials--;
      }
      this.#storeFailed(error);
      return this.execute(fn, options);
    }
    const signal = options?.signal;
    if (granted && this.#generation !== generation) {
      // News of a later transition came first: the slot belongs to a period that is over.
      void this.#send('end', [id, String(generation), 'r', '0']);
      return this.execute(fn, options);
    }
    const current = this.#current();
    if (!granted) {
      // Closed meanwhile: an ordinary call. Otherwise every slot is taken, or it is not half-open.
      if (current.state === 'closed' || this.#local !== undefined) return this.execute(fn, options);
      if (signal?.aborted) throw signal.reason;
      if (stillOpen !== undefined && current === circuit) {
        // Redis was still open when it answered, if only just: this call held no slot.
        release(circuit);
        return this.#reject({ state: 'open', until: this.#clock.now() + stillOpen.remaining, streak: stillOpen.streak });
      }
      return this.#reject(current);
    }
    this.#ownTrials++;
    if (current.state === 'half-open' && current.trials < this.#ownTrials) current.trials = this.#ownTrials;
    this.#leases.set(id, generation);
    this.#armRenewal();
    let ended = false;
    const giveBack = () => {
      if (ended) return;
      ended = true;
      void this.#endTrial(id, generation, 'r');
    };
    if (signal?.aborted) {
      // The caller left while the slot was on its way: it goes back at once.
      giveBack();
      throw signal.reason;
    }
    const stopWaiting = signal && onAbort(signal, giveBack);
    const clock = this.#clock;
    const start = this.#timed() ? clock.now() : Number.NaN;
    let value: T;
    try {
      value = await runTask(fn, ctx);
    } catch (error) {
      stopWaiting?.();
      // An abort counts as nothing; the slot went back when it happened.
      if (signal?.aborted) this.#ignored++;
      else await this.#trialFailed(id, generation, error, Number.isNaN(start) ? start : clock.now() - start, giveBack);
      throw error;
    }
    stopWaiting?.();
    if (signal?.aborted) {
      this.#ignored++;
      return value;
    }
    ended = true;
    const duration = Number.isNaN(start) ? start : clock.now() - start;
    this.#successes++;
    if (this.#events?.has('success')) this.#events.emit('success', { duration });
    // A slow trial fails the trial period, though its caller gets the value.
    const slow = duration > (this.#breaker.window?.slowCallDuration ?? Infinity);
    await this.#endTrial(id, generation, slow ? 'f' : 's');
    return value;
  }

  /** Counts a trial's failure (if `isFailure` lets it count), as `CircuitBreaker` does. */
  async #trialFailed(id: string, generation: number, error: unknown, duration: number, giveBack: () => void): Promise<void> {
    const { isFailure } = this.#breaker;
    if (isFailure !== undefined) {
      let counts: unknown;
      try {
        counts = isFailure(error);
      } catch (thrown) {
        this.#failures++;
        this.#events?.emit('failure', { error, duration });
        await this.#endTrial(id, generation, 'f');
        throw thrown;
      }
      if (!counts) {
        this.#ignored++;
        giveBack();
        return;
      }
    }
    this.#failures++;
    if (this.#events?.has('failure')) this.#events.emit('failure', { error, duration });
    await this.#endTrial(id, generation, 'f');
  }

  /**
   * Tells Redis how a trial ended ('s', 'f', or 'r': counts as nothing). A failure opens the
   * circuit again for `resetTimeout` (of the times opened in a row, which may throw: see
   * `resolveOptions`). Never rejects for Redis's sake.
   */
  #endTrial(id: string, generation: number, outcome: 's' | 'f' | 'r'): Promise<void> {
    this.#leases.delete(id);
    if (this.#generation === generation && this.#ownTrials > 0) this.#ownTrials--;
    const circuit = this.#circuit;
    const opensFor = outcome === 'f' ? this.#openFor(circuit.state === 'half-open' ? circuit.streak + 1 : 1) : 0;
    if (this.#local !== undefined || this.#closing !== undefined) return RESOLVED;
    return this.#send('end', [id, String(generation), outcome, String(opensFor)]);
  }

  /** How long the circuit opens for, the `streak`-th time in a row. */
  #openFor(streak: number): number {
    const { resetTimeout } = this.#breaker;
    return typeof resetTimeout === 'function' ? resetTimeout(streak) : resetTimeout;
  }

  /** Arms the flush timer for the outcomes waiting, unless it is armed. */
  #armFlush(): void {
    if (this.#flushTimer !== undefined || this.#closing !== undefined) return;
    this.#flushTimer = unrefTimer(this.#settings.flushInterval, () => {
      this.#flushTimer = undefined;
      void this.#flush();
    });
  }

  /**
   * Reports the outcomes waiting, one report in flight at a time; resolves once they are counted
   * in Redis (or Redis failed: the local breaker then takes over). Never rejects.
   */
  #flush(): Promise<void> {
    const period = this.#period;
    if (period === undefined || period.tally.pending === 0) return this.#flushing ?? RESOLVED;
    const flushing = this.#flushing;
    if (flushing !== undefined) {
      return (this.#queuedFlush ??= flushing.then(() => {
        this.#queuedFlush = undefined;
        return this.#flush();
      }));
    }
    this.#flushTimer?.();
    this.#flushTimer = undefined;
    let opensFor: number;
    try {
      opensFor = this.#openFor(1);
    } catch (error) {
      // A resetTimeout function that returns nonsense is a bug; its outcomes cannot be reported.
      console.error(`${OWNER}: the outcomes of calls could not be reported`, error);
      period.tally.take();
      return RESOLVED;
    }
    const sent = this.#call('report', [String(period.generation), String(opensFor), period.tally.take()]).then(
      (reply) => {
        this.#flushing = undefined;
        this.#answered(reply);
        if (this.#period?.tally.pending) this.#armFlush();
      },
      (error: unknown) => {
        this.#flushing = undefined;
        this.#storeFailed(error);
      },
    );
    this.#flushing = sent;
    return sent;
  }

  /** Arms the renewal of this process's trial leases and isolation holds, unless it is armed. */
  #armRenewal(): void {
    if (this.#renewTimer !== undefined || this.#closing !== undefined || this.#local !== undefined) return;
    if (this.#leases.size + this.#holds.size === 0) return;
    this.#renewTimer = unrefTimer(this.#settings.leaseTime / 3, () => {
      this.#renewTimer = undefined;
      const ids = [...this.#leases.keys(), ...this.#holds.keys()];
      if (ids.length === 0 || this.#local !== undefined) return;
      void this.#send('renew', ids);
      this.#armRenewal();
    });
  }

  /** Runs the script (`op`, then its arguments), within `storeTimeout`. */
  #call(op: string, args: readonly RedisArgument[]): Promise<Reply> {
    const { keys, serverTime, script, channel } = this.#settings;
    const sentAt = this.#clock.now();
    const answer = this.#run(keys, [op, serverTime ? '' : String(sentAt), script, channel, ...args]);
    return this.#deadline.watch(answer).then(
      (value) => replyOf(value, sentAt),
      (error: unknown) => {
        // Redis answering after all, only late, says it is reachable: ask again at once, rather
        // than wait for a call or a message.
        if (error instanceof TimeoutError) answer.then(() => this.#local === undefined || this.#probe(true), ignore);
        throw error;
      },
    );
  }

  /** Runs the script and takes in its answer; a failure hands over to the local breaker. Never rejects. */
  #send(op: string, args: readonly RedisArgument[]): Promise<void> {
    return this.#call(op, args).then(
      (reply) => this.#answered(reply),
      (error: unknown) => this.#storeFailed(error),
    );
  }

  #sync(): Promise<void> {
    return this.#closing === undefined ? this.#send('sync', ['']) : RESOLVED;
  }

  /** Takes in an answer of the script: the server's time and the circuit's state. */
  #answered(reply: Reply): void {
    if (this.#settings.serverTime) this.#serverOffset = reply.now - this.#clock.now();
    this.#adopt(reply.state, reply.sentAt);
  }

  /** A message on the circuit's channel: a transition, or a trial slot given back. */
  #heard(text: string): void {
    if (this.#local !== undefined) {
      // Redis is reachable again, it seems.
      this.#probe(true);
      return;
    }
    let state: SharedState;
    try {
      state = parseState(text);
    } catch {
      return;
    }
    this.#adopt(state);
  }

  /**
   * Follows the shared circuit as Redis describes it, if that is news: in an answer to a call
   * sent at `sentAt`, or in a message.
   */
  #adopt(shared: SharedState, sentAt?: number): void {
    if (this.#local !== undefined || this.#closing !== undefined || shared.generation < this.#generation) return;
    const same = shared.generation === this.#generation;
    const now = this.#clock.now();
    const circuit = this.#circuit;
    switch (shared.state) {
      case 'c':
        if (!same || circuit.state !== 'closed') this.#transition(shared.generation, closed());
        this.#period?.tally.learn(shared.view);
        break;
      case 'o': {
        // Within one generation the circuit only turns from open to half-open, so this process,
        // half-open already, reopens only on an answer that shows the open period ends later.
        const endsLater = same && circuit.state === 'half-open' && sentAt !== undefined && sentAt + shared.remaining > now;
        if (!same || endsLater) {
          this.#transition(shared.generation, { state: 'open', until: now + shared.remaining, streak: shared.streak });
        }
        break;
      }
      case 'h': {
        let halfOpenCircuit: HalfOpen;
        if (same && circuit.state === 'half-open') halfOpenCircuit = circuit;
        else this.#transition(shared.generation, (halfOpenCircuit = halfOpen(shared.streak, shared.successes)));
        halfOpenCircuit.successes = shared.successes;
        // Every slot taken: refuse here, without asking, until one is given back (a message
        // says so) or the first lease runs out.
        const full = shared.taken >= this.#breaker.halfOpenMaxCalls;
        halfOpenCircuit.trials = full ? this.#breaker.halfOpenMaxCalls : this.#ownTrials;
        this.#recheckAt = full && shared.next >= 0 ? now + shared.next : Infinity;
        break;
      }
      case 'i':
        if (!same || circuit.state !== 'isolated') this.#transition(shared.generation, { state: 'isolated', holds: 1 });
        this.#recheckAt = shared.next >= 0 ? now + shared.next : Infinity;
        break;
    }
  }

  /** Moves to a new generation of the shared circuit. */
  #transition(generation: number, next: Circuit): void {
    if (generation !== this.#generation) this.#ownTrials = 0;
    this.#generation = generation;
    this.#recheckAt = Infinity;
    // Outcomes of the period that ended count nowhere.
    this.#flushTimer?.();
    this.#flushTimer = undefined;
    this.#period = next.state === 'closed' ? this.#newPeriod(generation) : undefined;
    this.#become(next);
  }

  #become(next: Circuit): void {
    const previous = this.#circuit;
    if (next === previous) return;
    this.#circuit = next;
    if (next.state === 'open') this.#timesOpened++;
    const from = stateOf(previous);
    const to = stateOf(next);
    if (from !== to && !this.#quiet) this.#events?.emit('stateChange', { from, to });
  }

  /** Redis failed: this process protects itself with a local breaker until Redis answers again. */
  #storeFailed(error: unknown): void {
    this.#storeErrors++;
    if (this.#local !== undefined || this.#closing !== undefined) return;
    const now = this.#clock.now();
    const circuit = this.#current();
    const counted = circuit.state === 'closed' ? closed(this.#period?.tally.counts().recentFailures, now) : circuit;
    const breaker = new CircuitBreaker({ ...this.#settings.fallback, initialState: toSnapshot(counted, this.#breaker, now) });
    for (const event of ['stateChange', 'success', 'failure', 'reject'] as const) {
      breaker.on(event, (payload) => this.#events?.emit(event, payload as never));
    }
    // Isolations stay: this process's own (each with a local release), and others' until Redis is back.
    for (const id of this.#holds.keys()) this.#holds.set(id, breaker.isolate());
    const othersIsolation = circuit.state === 'isolated' && this.#holds.size === 0 ? breaker.isolate() : undefined;
    this.#local = { breaker, since: systemClock.now(), othersIsolation };
    this.#flushTimer?.();
    this.#renewTimer?.();
    this.#flushTimer = this.#renewTimer = undefined;
    this.#period = undefined;
    this.#leases.clear();
    this.#ownTrials = 0;
    this.#lastProbe = systemClock.now();
    this.#events?.emit('fallback', { error });
  }

  /**
   * While Redis fails: asks it again, one call at a time. Calls ask at most every
   * PROBE_INTERVAL ms; the subscription (re)connecting, a message on it, or a late answer asks
   * at once (after the call in flight, if it fails).
   */
  #probe(urgent = false): void {
    const now = systemClock.now();
    if (this.#probing) {
      if (urgent) this.#probeAgain = true;
      return;
    }
    if (this.#closing !== undefined || (!urgent && now - this.#lastProbe < PROBE_INTERVAL)) return;
    this.#probing = true;
    this.#probeAgain = false;
    this.#lastProbe = now;
    this.#call('sync', ['']).then(
      (reply) => {
        this.#probing = false;
        this.#rejoin(reply);
      },
      () => {
        this.#probing = false;
        this.#storeErrors++;
        if (this.#probeAgain) this.#probe(true);
      },
    );
  }

  /** Redis answers again: back to the shared circuit. */
  #rejoin(reply: Reply): void {
    const local = this.#local;
    if (local === undefined || this.#closing !== undefined) return;
    const stats = local.breaker.stats();
    this.#successes += stats.successes;
    this.#failures += stats.failures;
    this.#ignored += stats.ignored;
    this.#rejections += stats.rejections;
    this.#timesOpened += stats.timesOpened;
    const from = local.breaker.state;
    this.#local = undefined;
    this.#generation = -Infinity;
    // One stateChange, from what the local breaker had to what is shared, is reported below.
    this.#quiet = true;
    this.#answered(reply);
    // Isolations this process still holds hold here at once, and in Redis again (where they may
    // have run out).
    if (this.#holds.size > 0 && this.#circuit.state !== 'isolated') {
      this.#transition(Math.floor(this.#generation) + 0.5, { state: 'isolated', holds: 1 });
    }
    this.#quiet = false;
    for (const id of this.#holds.keys()) {
      this.#holds.set(id, undefined);
      void this.#send('isolate', [id]);
    }
    this.#armRenewal();
    const to = stateOf(this.#circuit);
    if (from !== to) this.#events?.emit('stateChange', { from, to });
    this.#events?.emit('rejoin', { after: systemClock.now() - local.since });
  }
}
