import { FallbackPolicy } from '@cemaf/fallback';
import { serviceForCall } from './flaky-service.ts';
import { simulate } from './simulate.ts';
import type { Span, TimelineRow } from './timeline.ts';

/** What the reader sets in the fallback demo. */
export interface FallbackDemoSettings {
  /** Share of service calls that fail, from 0 to 1. */
  readonly failureRate: number;
  /** How long a service call takes, in ms. */
  readonly latency: number;
  /** Seed of the random draws; "New draw" picks another. */
  readonly seed: number;
  /** Whether the calls go through the `FallbackPolicy`; without it, failures reach the caller. */
  readonly enabled: boolean;
  /** Calls made. @default 10 */
  readonly calls?: number;
  /** Time between two calls' arrivals, in ms. @default 120 */
  readonly spacing?: number;
}

/** What a caller got. */
export type FallbackAnswer = 'fresh' | 'fallback' | 'error';

export interface FallbackDemoResult {
  readonly rows: TimelineRow[];
  /** What each caller got, in call order. */
  readonly answers: FallbackAnswer[];
  readonly fresh: number;
  readonly fallback: number;
  readonly errors: number;
  /** `fallback` events the policy emitted. */
  readonly fallbackEvents: number;
  readonly realTime: number;
}

/** The price the service would give, and the one the fallback hands out when it cannot. */
const freshPrice = (id: number) => ({ price: 42 + id / 100, cached: false });
const cachedPrice = { price: 41.8, cached: true };

/**
 * Calls ask a flaky price service, through a real `FallbackPolicy` whose fallback is the last
 * known price, or directly when the reader turns the fallback off.
 */
export async function runFallbackDemo(settings: FallbackDemoSettings): Promise<FallbackDemoResult> {
  const { calls = 10, spacing = 120 } = settings;
  let fallbackEvents = 0;
  const spans: Span[][] = Array.from({ length: calls }, () => []);
  const simulation = await simulate(async (clock) => {
    const lastKnown = new FallbackPolicy({ fallback: () => cachedPrice });
    lastKnown.on('fallback', () => fallbackEvents++);
    return Promise.all(
      spans.map(async (row, index): Promise<FallbackAnswer> => {
        const service = serviceForCall(clock, settings, index);
        await clock.sleep(index * spacing);
        const start = clock.now();
        const ask = async () => {
          try {
            const id = await service.call();
            row.push({ start, end: clock.now(), kind: 'ok', label: 'the service answered' });
            return freshPrice(id);
          } catch (error) {
            row.push({ start, end: clock.now(), kind: 'failed', label: 'the service failed' });
            throw error;
          }
        };
        try {
          const { cached } = settings.enabled ? await lastKnown.execute(ask) : await ask();
          if (!cached) return 'fresh';
          row.push({ start: clock.now(), end: clock.now(), kind: 'fallback', label: 'the fallback answered: the last known price' });
          return 'fallback';
        } catch {
          row.push({ start: clock.now(), end: clock.now(), kind: 'rejected', label: 'the caller got the error' });
          return 'error';
        }
      }),
    );
  });
  const answers = simulation.value;
  const count = (answer: FallbackAnswer) => answers.filter((value) => value === answer).length;
  return {
    rows: spans.map((row, index) => ({ label: `call ${index + 1}`, spans: row })),
    answers,
    fresh: count('fresh'),
    fallback: count('fallback'),
    errors: count('error'),
    fallbackEvents,
    realTime: simulation.realTime,
  };
}
