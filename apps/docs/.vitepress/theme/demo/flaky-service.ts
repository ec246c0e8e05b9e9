import type { Clock } from '@cemaf/core';
import { seededRandom } from './random.ts';

/** How a call to the service ended. */
export type CallOutcome = 'ok' | 'failed' | 'aborted';

/** One call the service received, for charts and counters. */
export interface ServiceCall {
  /** 1 for the first call the service received. */
  readonly id: number;
  /** When it arrived, in ms on the service's clock. */
  readonly start: number;
  /** When it ended; undefined while in flight. */
  end: number | undefined;
  /** How it ended; undefined while in flight. */
  outcome: CallOutcome | undefined;
}

export interface FlakyServiceOptions {
  /** The clock its latency runs on: a `ManualClock` to simulate at once, `systemClock` to watch live. */
  clock: Clock;
  /** Share of calls that fail, from 0 to 1. @default 0.3 */
  failureRate?: number;
  /** How long a call takes, in ms. @default 100 */
  latency?: number;
  /** Spread of the latency: a call takes `latency × (1 ± jitter)`, from 0 to 1. @default 0 */
  jitter?: number;
  /** Source of randomness; pass `seededRandom(seed)` for draws that repeat. @default Math.random */
  random?: () => number;
}

/** What the flaky service throws when a call fails, like an HTTP 503. */
export class ServiceUnavailableError extends Error {
  readonly code = 'SERVICE_UNAVAILABLE';

  constructor(readonly callId: number) {
    super(`Service unavailable (call ${callId} failed)`);
    this.name = 'ServiceUnavailableError';
  }
}

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

/**
 * A simulated remote service for the live demos: each call takes `latency` ms on the given clock
 * and fails with probability `failureRate`. The settings are plain fields, read when a call
 * arrives, so sliders can change them between calls. Every call records itself in `calls`.
 */
export class FlakyService {
  failureRate: number;
  latency: number;
  jitter: number;
  readonly calls: ServiceCall[] = [];
  readonly #clock: Clock;
  readonly #random: () => number;

  constructor(options: FlakyServiceOptions) {
    this.#clock = options.clock;
    this.#random = options.random ?? Math.random;
    this.failureRate = options.failureRate ?? 0.3;
    this.latency = options.latency ?? 100;
    this.jitter = options.jitter ?? 0;
  }

  /** Calls the service: resolves with the call's id, or rejects with `ServiceUnavailableError`. */
  async call(signal?: AbortSignal): Promise<number> {
    // Two draws per call, in a fixed order: call n has the same luck whatever the settings, so
    // a higher failure rate fails the same calls and more, never different ones.
    const failureDraw = this.#random();
    const latencyDraw = this.#random();
    const fails = failureDraw < clamp(this.failureRate, 0, 1);
    const record: ServiceCall = { id: this.calls.length + 1, start: this.#clock.now(), end: undefined, outcome: undefined };
    this.calls.push(record);
    const jitter = clamp(this.jitter, 0, 1);
    const duration = Math.max(0, this.latency) * (1 + jitter * (2 * latencyDraw - 1));
    try {
      await this.#clock.sleep(duration, signal);
    } catch (reason) {
      this.#end(record, 'aborted');
      throw reason;
    }
    if (fails) {
      this.#end(record, 'failed');
      throw new ServiceUnavailableError(record.id);
    }
    this.#end(record, 'ok');
    return record.id;
  }

  /** Counts of the calls so far. */
  get stats(): { calls: number; ok: number; failed: number; aborted: number; inFlight: number } {
    const count = (outcome: CallOutcome | undefined) => this.calls.filter((call) => call.outcome === outcome).length;
    return {
      calls: this.calls.length,
      ok: count('ok'),
      failed: count('failed'),
      aborted: count('aborted'),
      inFlight: count(undefined),
    };
  }

  #end(record: ServiceCall, outcome: CallOutcome): void {
    record.end = this.#clock.now();
    record.outcome = outcome;
  }
}

/** What the reader sets for a demo's service: its sliders, and the seed of its draws. */
export interface ServiceSettings {
  readonly failureRate: number;
  readonly latency: number;
  readonly seed: number;
}

/**
 * The service that call `call` of a demo reaches, with draws of its own from the seed: call n
 * keeps its luck whatever else the reader changes (the latency, the algorithm, the backoff).
 */
export function serviceForCall(clock: Clock, settings: ServiceSettings, call: number, jitter = 0.3): FlakyService {
  return new FlakyService({
    clock,
    failureRate: settings.failureRate,
    latency: settings.latency,
    jitter,
    random: seededRandom(settings.seed * 7_919 + call),
  });
}
