import { CircuitBreaker, type CircuitState, type Clock } from '@cemaf/circuit-breaker';
import { FlakyService } from './flaky-service.ts';

/** How one call of the demo ended. */
export type BreakerCallOutcome = 'ok' | 'failed' | 'rejected';

/** A call the demo made, for the strip of recent calls. */
export interface BreakerCall {
  /** 1 for the first call. */
  readonly id: number;
  /** When it was made, in ms since the demo started. */
  readonly at: number;
  /** How it ended; undefined while in flight. */
  outcome: BreakerCallOutcome | undefined;
}

/** A state change, in ms since the demo started. */
export interface BreakerTransition {
  readonly from: CircuitState;
  readonly to: CircuitState;
  readonly at: number;
}

/** What the demo shows at a moment. */
export interface BreakerDemoView {
  /** The breaker's state, as `breaker.state` reads it now. */
  readonly state: CircuitState;
  /** Ms since the demo started (or was reset). */
  readonly time: number;
  /** Ms until a trial call is let through, while open; 0 otherwise. */
  readonly retryAfter: number;
  /** Calls made, and how they ended: from the breaker's own `stats()`. */
  readonly calls: number;
  readonly successes: number;
  readonly failures: number;
  readonly rejections: number;
  readonly timesOpened: number;
  /** `stateChange` events seen. */
  readonly stateChanges: number;
  /** Times each state was entered (the closed state it starts in counts once). */
  readonly entered: Readonly<Record<CircuitState, number>>;
  /** The latest state change, if any. */
  readonly lastTransition: BreakerTransition | undefined;
  /** The latest calls, oldest first. */
  readonly recent: readonly BreakerCall[];
}

export interface BreakerDemoOptions {
  /** The clock the calls, the service and the breaker run on: `systemClock` live, `ManualClock` in tests. */
  readonly clock: Clock;
  /** Share of service calls that fail, from 0 to 1; the `failureRate` field changes it later. */
  readonly failureRate: number;
  /** How long a service call takes, in ms; the `latency` field changes it later. */
  readonly latency: number;
  /** Spread of the service's latency, from 0 to 1 (see `FlakyService`). @default 0.3 */
  readonly jitter?: number;
  /** Source of randomness for the service. @default Math.random */
  readonly random?: () => number;
  /** Time between two calls, in ms. @default 250 */
  readonly interval?: number;
  /** The breaker's `failureThreshold`. @default 3 */
  readonly failureThreshold?: number;
  /** The breaker's `resetTimeout`, in ms. @default 2000 */
  readonly resetTimeout?: number;
  /** Calls kept for the strip of recent calls. @default 40 */
  readonly keep?: number;
  /** Called whenever what the demo shows may have changed. */
  readonly onChange?: () => void;
}

const freshEntered = (): Record<CircuitState, number> => ({ closed: 1, open: 0, 'half-open': 0 });

/**
 * A real `CircuitBreaker` in front of a flaky service, called every `interval` ms for as long as
 * `run` is not aborted. The breaker's options are the demo's; the counters come from its
 * `stats()` and its `stateChange` events.
 */
export class BreakerDemo {
  readonly service: FlakyService;
  readonly breaker: CircuitBreaker;
  readonly interval: number;
  readonly failureThreshold: number;
  readonly resetTimeout: number;
  readonly #clock: Clock;
  readonly #keep: number;
  readonly #onChange: (() => void) | undefined;
  #start: number;
  #calls: BreakerCall[] = [];
  #nextId = 1;
  #stateChanges = 0;
  #entered = freshEntered();
  #lastTransition: BreakerTransition | undefined;

  constructor(options: BreakerDemoOptions) {
    this.#clock = options.clock;
    this.#keep = options.keep ?? 40;
    this.#onChange = options.onChange;
    this.interval = options.interval ?? 250;
    this.failureThreshold = options.failureThreshold ?? 3;
    this.resetTimeout = options.resetTimeout ?? 2_000;
    this.service = new FlakyService({
      clock: options.clock,
      failureRate: options.failureRate,
      latency: options.latency,
      jitter: options.jitter ?? 0.3,
      random: options.random,
    });
    this.breaker = new CircuitBreaker({
      failureThreshold: this.failureThreshold,
      resetTimeout: this.resetTimeout,
      clock: options.clock,
    });
    this.breaker.on('stateChange', ({ from, to }) => {
      this.#stateChanges++;
      this.#entered[to]++;
      this.#lastTransition = { from, to, at: this.#elapsed() };
      this.#onChange?.();
    });
    this.#start = options.clock.now();
  }

  /** Makes a call every `interval` ms until `signal` aborts; calls in flight then stop too. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      void this.call(signal);
      try {
        await this.#clock.sleep(this.interval, signal);
      } catch {
        return;
      }
    }
  }

  /** Makes one call through the breaker; never rejects. */
  async call(signal?: AbortSignal): Promise<void> {
    const record: BreakerCall = { id: this.#nextId++, at: this.#elapsed(), outcome: undefined };
    this.#calls.push(record);
    if (this.#calls.length > this.#keep) this.#calls.shift();
    try {
      await this.breaker.execute((ctx) => this.service.call(ctx.signal), { signal });
      record.outcome = 'ok';
    } catch (error) {
      if (signal?.aborted) return;
      record.outcome = (error as { code?: unknown }).code === 'CIRCUIT_OPEN' ? 'rejected' : 'failed';
    }
    this.#onChange?.();
  }

  /** Closes the circuit with fresh counts, and starts the demo's time and counters again. */
  reset(): void {
    this.breaker.reset();
    this.#start = this.#clock.now();
    this.#calls = [];
    this.#stateChanges = 0;
    this.#entered = freshEntered();
    this.#lastTransition = undefined;
    this.#onChange?.();
  }

  /** What to show now. Reading the breaker's state takes the lazy open -> half-open step when due. */
  view(): BreakerDemoView {
    const stats = this.breaker.stats();
    return {
      state: stats.state,
      time: this.#elapsed(),
      retryAfter: stats.retryAfter,
      calls: stats.successes + stats.failures + stats.ignored + stats.rejections,
      successes: stats.successes,
      failures: stats.failures,
      rejections: stats.rejections,
      timesOpened: stats.timesOpened,
      stateChanges: this.#stateChanges,
      entered: { ...this.#entered },
      lastTransition: this.#lastTransition,
      recent: this.#calls.map((call) => ({ ...call })),
    };
  }

  #elapsed(): number {
    return this.#clock.now() - this.#start;
  }
}
