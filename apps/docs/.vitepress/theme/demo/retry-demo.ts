import { fullJitter, RetryPolicy, type BackoffKind } from '@cemaf/retry';
import { serviceForCall } from './flaky-service.ts';
import { seededRandom } from './random.ts';
import { simulate } from './simulate.ts';
import { formatMs, type Span, type TimelineRow } from './timeline.ts';

/** The backoff kinds the demo compares, in the order of its rows. */
export const backoffKinds: readonly BackoffKind[] = ['constant', 'linear', 'exponential', 'fibonacci', 'jitter'];

/** What the reader sets in the retry demo. */
export interface RetryDemoSettings {
  /** Share of service calls that fail, from 0 to 1. */
  readonly failureRate: number;
  /** How long a service call takes, in ms. */
  readonly latency: number;
  /** Seed of the random draws; "New draw" picks another. */
  readonly seed: number;
  /** `maxAttempts` of every policy. @default 5 */
  readonly maxAttempts?: number;
  /** `initialDelay` of every policy, in ms. @default 100 */
  readonly initialDelay?: number;
  /** `maxDelay` of every policy, in ms. @default 2000 */
  readonly maxDelay?: number;
  /** Calls each backoff kind makes. @default 4 */
  readonly calls?: number;
}

/** How the calls of one backoff kind went. */
export interface RetryKindSummary {
  readonly kind: BackoffKind;
  /** Attempts made by all its calls. */
  readonly attempts: number;
  /** Calls that succeeded in the end. */
  readonly succeeded: number;
  /** Calls the policy gave up on. */
  readonly gaveUp: number;
  /** Time spent in backoff waits, summed over the calls, in ms. */
  readonly waited: number;
  /** When its last call settled, in ms. */
  readonly finishedAt: number;
}

export interface RetryDemoResult {
  /** One row per call, grouped by backoff kind: attempts and the waits between them. */
  readonly rows: TimelineRow[];
  readonly kinds: RetryKindSummary[];
  /** Attempts over every kind. */
  readonly attempts: number;
  /** Virtual time the run spanned, in ms. */
  readonly virtualTime: number;
  /** Real time it took to compute, in ms. */
  readonly realTime: number;
}

interface Attempt {
  readonly start: number;
  readonly end: number;
  readonly ok: boolean;
  /** The wait after it, as the policy's `retry` event reported it; undefined when none followed. */
  delay: number | undefined;
}

/**
 * Every backoff kind makes the same calls to a flaky service through a real `RetryPolicy` on a
 * `ManualClock`. Call n's attempt k has the same luck for every kind, so the rows of the kinds
 * differ only in their waits.
 */
export async function runRetryDemo(settings: RetryDemoSettings): Promise<RetryDemoResult> {
  const { maxAttempts = 5, initialDelay = 100, maxDelay = 2_000, calls = 4 } = settings;
  const simulation = await simulate(async (clock) => {
    const runs = backoffKinds.map(async (kind) => {
      const perCall = Array.from({ length: calls }, (_, call) => {
        const attempts: Attempt[] = [];
        // Same draws for call n whatever the kind: attempt k of call n has the same luck.
        const service = serviceForCall(clock, settings, call);
        // 'jitter' is full jitter: the demo draws it from the seed, per call, so that moving a
        // slider does not redraw it, and hands the policy the function behind 'jitter'.
        const backoff = kind === 'jitter' ? fullJitter({ initialDelay, maxDelay, random: seededRandom(settings.seed * 31 + call) }) : kind;
        // A policy per call, so that its `retry` events belong to this row.
        const policy = new RetryPolicy({ maxAttempts, backoff, initialDelay, maxDelay, clock });
        policy.on('retry', ({ attempt, delay }) => {
          attempts[attempt - 1]!.delay = delay;
        });
        return { attempts, service, policy };
      });
      const outcomes = await Promise.all(
        perCall.map(({ attempts, service, policy }) =>
          policy
            .execute(async () => {
              const start = clock.now();
              try {
                const value = await service.call();
                attempts.push({ start, end: clock.now(), ok: true, delay: undefined });
                return value;
              } catch (error) {
                attempts.push({ start, end: clock.now(), ok: false, delay: undefined });
                throw error;
              }
            })
            .then(
              () => true,
              () => false,
            ),
        ),
      );
      return { kind, outcomes, attempts: perCall.map((call) => call.attempts), end: clock.now() };
    });
    return Promise.all(runs);
  });

  const rows: TimelineRow[] = [];
  const kinds: RetryKindSummary[] = [];
  for (const { kind, outcomes, attempts } of simulation.value) {
    let waited = 0;
    let finishedAt = 0;
    attempts.forEach((callAttempts, call) => {
      const spans: Span[] = [];
      callAttempts.forEach((attempt, index) => {
        spans.push({
          start: attempt.start,
          end: attempt.end,
          kind: attempt.ok ? 'ok' : 'failed',
          label: `attempt ${index + 1} ${attempt.ok ? 'succeeded' : 'failed'}`,
        });
        if (attempt.delay !== undefined) {
          waited += attempt.delay;
          spans.push({
            start: attempt.end,
            end: attempt.end + attempt.delay,
            kind: 'wait',
            label: `backoff before attempt ${index + 2}`,
            note: formatMs(attempt.delay),
          });
        }
      });
      finishedAt = Math.max(finishedAt, callAttempts[callAttempts.length - 1]?.end ?? 0);
      rows.push({ label: call === 0 ? kind : '', group: kind, spans });
    });
    kinds.push({
      kind,
      attempts: attempts.reduce((sum, callAttempts) => sum + callAttempts.length, 0),
      succeeded: outcomes.filter(Boolean).length,
      gaveUp: outcomes.filter((ok) => !ok).length,
      waited,
      finishedAt,
    });
  }
  return {
    rows,
    kinds,
    attempts: kinds.reduce((sum, kind) => sum + kind.attempts, 0),
    virtualTime: simulation.virtualTime,
    realTime: simulation.realTime,
  };
}
