import { pipeline, type Clock, type ExecuteOptions, type Policy, type Task } from '@cemaf/core';
import { serviceForCall } from './flaky-service.ts';
import { simulate } from './simulate.ts';
import type { Span, TimelineRow } from './timeline.ts';

/** What the reader sets in the `@cemaf/core` demo. */
export interface CoreDemoSettings {
  /** Share of service calls that fail, from 0 to 1. */
  readonly failureRate: number;
  /** How long a service call takes, in ms. */
  readonly latency: number;
  /** Seed of the random draws; "New draw" picks another. */
  readonly seed: number;
  /** Calls made. @default 12 */
  readonly calls?: number;
  /** Time between two calls' arrivals, in ms. @default 150 */
  readonly spacing?: number;
  /** Wait before the second chance, in ms. @default 200 */
  readonly retryDelay?: number;
}

export interface CoreDemoResult {
  /** One row per call: its attempts and the wait between them. */
  readonly rows: TimelineRow[];
  readonly firstTry: number;
  readonly secondTry: number;
  readonly failed: number;
  /** Calls the service received (attempts). */
  readonly serviceCalls: number;
  /** Virtual time the run spanned, in ms. */
  readonly virtualTime: number;
  /** Real time it took to compute, in ms. */
  readonly realTime: number;
}

/** Per-call options of this demo: which timeline row an attempt belongs to. */
interface RowOptions extends ExecuteOptions {
  readonly row?: number;
}

const contextOf = (options: ExecuteOptions | undefined, attempt: number) => ({
  signal: options?.signal ?? new AbortController().signal,
  attempt,
});

/** A tiny policy: when a call fails, waits `delay` ms on `clock` and tries once more. */
function secondChance(clock: Clock, delay: number): Policy {
  return {
    async execute<T>(fn: Task<T>, options?: ExecuteOptions): Promise<T> {
      try {
        return await fn(contextOf(options, 1));
      } catch (error) {
        if (options?.signal?.aborted) throw error;
        await clock.sleep(delay, options?.signal);
        return fn(contextOf(options, 2));
      }
    },
  };
}

/** A tiny policy that times every attempt it sees and reports it as a span of its row. */
function stopwatch(clock: Clock, report: (row: number, span: Span) => void): Policy<RowOptions> {
  return {
    async execute<T>(fn: Task<T>, options?: RowOptions): Promise<T> {
      const start = clock.now();
      const attempt = options?.attempt ?? 1;
      const row = options?.row ?? 0;
      try {
        const value = await fn(contextOf(options, attempt));
        report(row, { start, end: clock.now(), kind: 'ok', label: `attempt ${attempt} succeeded` });
        return value;
      } catch (error) {
        report(row, { start, end: clock.now(), kind: 'failed', label: `attempt ${attempt} failed` });
        throw error;
      }
    },
  };
}

/**
 * Calls arrive every `spacing` ms at a flaky service through `pipeline(secondChance, stopwatch)`,
 * all on a `ManualClock`: the whole run is computed at once, however long it spans.
 */
export async function runCoreDemo(settings: CoreDemoSettings): Promise<CoreDemoResult> {
  const { calls = 12, spacing = 150, retryDelay = 200 } = settings;
  const spans: Span[][] = Array.from({ length: calls }, () => []);
  const simulation = await simulate(async (clock) => {
    // One service per call, each with its own draws: moving the latency slider, which reorders
    // the attempts in time, then leaves each call's luck as it was.
    const services = spans.map((_, row) => serviceForCall(clock, settings, row));
    const resilient = pipeline(
      secondChance(clock, retryDelay),
      stopwatch(clock, (row, span) => spans[row]!.push(span)),
    );
    const outcomes = await Promise.all(
      services.map(async (service, row) => {
        await clock.sleep(row * spacing);
        return resilient.execute(({ signal }) => service.call(signal), { row }).then(
          () => (spans[row]!.length === 1 ? 'first' : 'second'),
          () => 'failed',
        );
      }),
    );
    return { outcomes, serviceCalls: services.reduce((sum, service) => sum + service.calls.length, 0) };
  });
  const rows = spans.map((attempts, row) => {
    const [first, second] = attempts;
    const wait: Span[] = first && second ? [{ start: first.end, end: second.start, kind: 'wait', label: `waited ${retryDelay} ms` }] : [];
    return { label: `call ${row + 1}`, spans: [...attempts, ...wait] };
  });
  const { outcomes, serviceCalls } = simulation.value;
  const count = (outcome: string) => outcomes.filter((value) => value === outcome).length;
  return {
    rows,
    firstTry: count('first'),
    secondTry: count('second'),
    failed: count('failed'),
    serviceCalls,
    virtualTime: simulation.virtualTime,
    realTime: simulation.realTime,
  };
}
