import { TimeoutPolicy } from '@cemaf/timeout';
import { serviceForCall } from './flaky-service.ts';
import { simulate } from './simulate.ts';
import type { TimelineMarker, TimelineRow } from './timeline.ts';

/** What the reader sets in the timeout demo. */
export interface TimeoutDemoSettings {
  /** Share of service calls that fail, from 0 to 1. */
  readonly failureRate: number;
  /** How long a service call takes, in ms, give or take half of it. */
  readonly latency: number;
  /** Seed of the random draws; "New draw" picks another. */
  readonly seed: number;
  /** The policy's `timeout`, in ms. */
  readonly timeout: number;
  /** Calls made, all at once. @default 10 */
  readonly calls?: number;
}

/** How a call ended, for the caller. */
export type TimeoutOutcome = 'ok' | 'failed' | 'timeout';

export interface TimeoutDemoResult {
  readonly rows: TimelineRow[];
  /** The deadline, as a line across the chart. */
  readonly markers: TimelineMarker[];
  readonly answered: number;
  readonly failed: number;
  readonly timedOut: number;
  /** Service calls stopped by the deadline's signal: the work did not go on after the call gave up. */
  readonly serviceAborted: number;
  /** `timeout` events the policy emitted. */
  readonly timeoutEvents: number;
  readonly realTime: number;
}

/**
 * Calls start together against a flaky service whose latency varies by ± 50 %, each through a
 * real `TimeoutPolicy` on a `ManualClock`. The service takes the call's `ctx.signal`, so a call
 * past its deadline is stopped at the service too.
 */
export async function runTimeoutDemo(settings: TimeoutDemoSettings): Promise<TimeoutDemoResult> {
  const { calls = 10 } = settings;
  let timeoutEvents = 0;
  const simulation = await simulate(async (clock) => {
    const policy = new TimeoutPolicy({ timeout: settings.timeout, clock });
    policy.on('timeout', () => timeoutEvents++);
    const services = Array.from({ length: calls }, (_, index) => serviceForCall(clock, settings, index, 0.5));
    const outcomes = await Promise.all(
      services.map((service) =>
        policy.execute(({ signal }) => service.call(signal)).then(
          (): { outcome: TimeoutOutcome; end: number } => ({ outcome: 'ok', end: clock.now() }),
          (error: { code?: string }): { outcome: TimeoutOutcome; end: number } => ({
            outcome: error.code === 'TIMEOUT' ? 'timeout' : 'failed',
            end: clock.now(),
          }),
        ),
      ),
    );
    return { outcomes, services };
  });
  const { outcomes, services } = simulation.value;
  const labels: Record<TimeoutOutcome, string> = { ok: 'answered in time', failed: 'failed in time', timeout: 'timed out at the deadline' };
  const rows = outcomes.map(({ outcome, end }, index) => ({
    label: `call ${index + 1}`,
    spans: [{ start: 0, end, kind: outcome, label: labels[outcome] }],
  }));
  const count = (outcome: TimeoutOutcome) => outcomes.filter((call) => call.outcome === outcome).length;
  return {
    rows,
    markers: [{ at: settings.timeout, label: 'deadline' }],
    answered: count('ok'),
    failed: count('failed'),
    timedOut: count('timeout'),
    serviceAborted: services.reduce((sum, service) => sum + service.stats.aborted, 0),
    timeoutEvents,
    realTime: simulation.realTime,
  };
}
