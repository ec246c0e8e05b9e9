import { RateLimiter, type RateLimitAlgorithm } from '@cemaf/rate-limiter';
import { serviceForCall } from './flaky-service.ts';
import { seededRandom } from './random.ts';
import { simulate } from './simulate.ts';
import type { Span, TimelineMarker, TimelineRow } from './timeline.ts';

/** The algorithms the demo compares. */
export const algorithms: readonly RateLimitAlgorithm[] = ['sliding-window', 'token-bucket', 'fixed-window'];

/** What the reader sets in the rate-limiter demo. */
export interface RateLimiterDemoSettings {
  /** Share of service calls that fail, from 0 to 1. */
  readonly failureRate: number;
  /** How long a service call takes, in ms. */
  readonly latency: number;
  /** Seed of the random draws (arrivals and service luck); "New draw" picks another. */
  readonly seed: number;
  /** The algorithm whose timeline is shown. */
  readonly algorithm: RateLimitAlgorithm;
  /** Calls offered per second, on average. */
  readonly load: number;
  /** Calls offered in all. @default 30 */
  readonly calls?: number;
  /** The limiter's `maxCalls`. @default 5 */
  readonly maxCalls?: number;
  /** The limiter's `timeWindow`, in ms. @default 1000 */
  readonly timeWindow?: number;
  /** The limiter's `maxWait`, in ms. @default 1500 */
  readonly maxWait?: number;
}

/** One offered call and what the limiter made of it, in ms. */
export interface LimitedCall {
  readonly arrival: number;
  /** When its permit was granted and it ran; undefined when it was rejected. */
  readonly admitted: number | undefined;
  /** When the service answered; undefined when it was rejected. */
  readonly end: number | undefined;
  readonly outcome: 'ok' | 'failed' | 'rejected';
  /** For a rejected call: the `retryAfter` of its `RateLimitExceededError`. */
  readonly retryAfter: number | undefined;
}

/** A point of the "permits counted against the limit" line. */
export interface CountPoint {
  readonly at: number;
  readonly count: number;
}

export interface AlgorithmRun {
  readonly algorithm: RateLimitAlgorithm;
  readonly calls: readonly LimitedCall[];
  /** Calls admitted at once, after a wait, and rejected. */
  readonly atOnce: number;
  readonly waited: number;
  readonly rejected: number;
  /** Permits counted against the limit over time: a step line (a sloped one for the token bucket). */
  readonly counted: readonly CountPoint[];
  /** The most permits counted at any moment; never above `limit`. */
  readonly peak: number;
  /** Where each fixed window began (fixed window only). */
  readonly windows: readonly number[];
}

export interface RateLimiterDemoResult {
  /** The limit line: `maxCalls` (the bucket's size, for the token bucket). */
  readonly limit: number;
  readonly timeWindow: number;
  readonly runs: Readonly<Record<RateLimitAlgorithm, AlgorithmRun>>;
  /** The shown algorithm's calls as timeline rows. */
  readonly rows: TimelineRow[];
  readonly markers: TimelineMarker[];
  /** The right edge of the timeline, in ms: the same for every algorithm. */
  readonly end: number;
  readonly realTime: number;
}

/** Arrival times of `count` calls at `load` per second on average (a Poisson process), in whole ms. */
export function arrivals(count: number, load: number, random: () => number): number[] {
  const times: number[] = [];
  let at = 0;
  for (let index = 0; index < count; index++) {
    times.push(Math.round(at));
    at += (-Math.log(1 - random()) * 1_000) / load;
  }
  return times;
}

/** Permits counted at each moment by a sliding window: those taken within the last `timeWindow`. */
export function slidingCount(admissions: readonly number[], timeWindow: number): CountPoint[] {
  const changes = [...admissions.map((at) => ({ at, delta: 1 })), ...admissions.map((at) => ({ at: Math.ceil(at) + timeWindow, delta: -1 }))];
  return steps(changes);
}

/** Starts of the fixed windows: each opens at the first permit at or after the end of the one before. */
export function fixedWindows(admissions: readonly number[], timeWindow: number): number[] {
  const starts: number[] = [];
  for (const at of [...admissions].sort((a, b) => a - b)) {
    const last = starts[starts.length - 1];
    if (last === undefined || at >= last + timeWindow) starts.push(at);
  }
  return starts;
}

/** Permits counted at each moment by a fixed window: those taken in the current window. */
export function fixedCount(admissions: readonly number[], timeWindow: number): CountPoint[] {
  const starts = fixedWindows(admissions, timeWindow);
  const changes = admissions.map((at) => ({ at, delta: 1 }));
  for (const start of starts) {
    const inWindow = admissions.filter((at) => at >= start && at < start + timeWindow).length;
    changes.push({ at: start + timeWindow, delta: -inWindow });
  }
  return steps(changes);
}

/**
 * Tokens missing from a bucket of `burst` refilled at `maxCalls` per `timeWindow`: it starts
 * full, each admission takes one, and the line slopes down as tokens come back.
 */
export function bucketCount(admissions: readonly number[], burst: number, maxCalls: number, timeWindow: number): CountPoint[] {
  const rate = maxCalls / timeWindow;
  const points: CountPoint[] = [{ at: 0, count: 0 }];
  let missing = 0;
  let at = 0;
  for (const next of [...admissions].sort((a, b) => a - b)) {
    const refilled = Math.min(missing, (next - at) * rate);
    if (refilled === missing && missing > 0) points.push({ at: at + missing / rate, count: 0 });
    missing -= refilled;
    points.push({ at: next, count: missing });
    missing += 1;
    points.push({ at: next, count: missing });
    at = next;
  }
  if (missing > 0) points.push({ at: at + missing / rate, count: 0 });
  return points;
}

/** A step line from +/- changes: two points per moment, before and after. */
function steps(changes: readonly { at: number; delta: number }[]): CountPoint[] {
  const sorted = [...changes].sort((a, b) => a.at - b.at || a.delta - b.delta);
  const points: CountPoint[] = [{ at: 0, count: 0 }];
  let count = 0;
  for (let index = 0; index < sorted.length; ) {
    const at = sorted[index]!.at;
    points.push({ at, count });
    while (index < sorted.length && sorted[index]!.at === at) count += sorted[index++]!.delta;
    points.push({ at, count });
  }
  return points;
}

/**
 * The same offered calls (same arrival times, same luck at the service) go through a real
 * `RateLimiter` of each algorithm on a `ManualClock`: calls over the limit wait their turn, or
 * are rejected at once when their turn would come later than `maxWait`.
 */
export async function runRateLimiterDemo(settings: RateLimiterDemoSettings): Promise<RateLimiterDemoResult> {
  const { calls: count = 30, maxCalls = 5, timeWindow = 1_000, maxWait = 1_500 } = settings;
  const times = arrivals(count, settings.load, seededRandom(settings.seed));
  const simulation = await simulate(async (clock) => {
    const entries = await Promise.all(
      algorithms.map(async (algorithm) => {
        const limiter = new RateLimiter({ algorithm, maxCalls, timeWindow, maxWait, clock });
        const calls = await Promise.all(
          times.map(async (arrival, index): Promise<LimitedCall> => {
            // One service per call: call n has the same luck whatever the algorithm and timing.
            const service = serviceForCall(clock, settings, index);
            await clock.sleep(arrival);
            let admitted: number | undefined;
            try {
              await limiter.execute(({ signal }) => {
                admitted = clock.now();
                return service.call(signal);
              });
              return { arrival, admitted, end: clock.now(), outcome: 'ok', retryAfter: undefined };
            } catch (error) {
              if (admitted !== undefined) return { arrival, admitted, end: clock.now(), outcome: 'failed', retryAfter: undefined };
              const retryAfter = (error as { retryAfter?: number }).retryAfter;
              return { arrival, admitted: undefined, end: undefined, outcome: 'rejected', retryAfter };
            }
          }),
        );
        return [algorithm, calls] as const;
      }),
    );
    return new Map(entries);
  });

  const runs = {} as Record<RateLimitAlgorithm, AlgorithmRun>;
  for (const [algorithm, calls] of simulation.value) {
    const admissions = calls.flatMap((call) => (call.admitted === undefined ? [] : [call.admitted]));
    const counted =
      algorithm === 'sliding-window' ? slidingCount(admissions, timeWindow)
      : algorithm === 'fixed-window' ? fixedCount(admissions, timeWindow)
      : bucketCount(admissions, maxCalls, maxCalls, timeWindow);
    runs[algorithm] = {
      algorithm,
      calls,
      atOnce: calls.filter((call) => call.admitted === call.arrival).length,
      waited: calls.filter((call) => call.admitted !== undefined && call.admitted > call.arrival).length,
      rejected: calls.filter((call) => call.outcome === 'rejected').length,
      counted,
      peak: Math.max(0, ...counted.map((point) => point.count)),
      windows: algorithm === 'fixed-window' ? fixedWindows(admissions, timeWindow) : [],
    };
  }
  const shown = runs[settings.algorithm];
  const rows = shown.calls.map((call, index): TimelineRow => {
    const spans: Span[] = [];
    if (call.admitted === undefined) {
      spans.push({ start: call.arrival, end: call.arrival, kind: 'rejected', label: `rejected: its turn was ${Math.round(call.retryAfter ?? 0)} ms away` });
    } else {
      if (call.admitted > call.arrival) spans.push({ start: call.arrival, end: call.admitted, kind: 'queued', label: 'waiting for a permit' });
      spans.push({ start: call.admitted, end: call.end!, kind: call.outcome === 'ok' ? 'ok' : 'failed', label: call.outcome === 'ok' ? 'admitted, succeeded' : 'admitted, failed' });
    }
    return { label: index % 5 === 0 ? `#${index + 1}` : '', spans };
  });
  const end = Math.max(
    ...algorithms.flatMap((algorithm) => runs[algorithm].calls.map((call) => call.end ?? call.arrival)),
    ...algorithms.flatMap((algorithm) => runs[algorithm].counted.map((point) => point.at)),
  );
  return {
    limit: maxCalls,
    timeWindow,
    runs,
    rows,
    markers: shown.windows.map((at, index) => ({ at, label: index === 0 ? 'a fixed window opens' : `window ${index + 1} opens` })),
    end,
    realTime: simulation.realTime,
  };
}
