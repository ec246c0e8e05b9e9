import { ManualClock } from '@cemaf/core';

/** What `simulate` reports besides the scenario's own result. */
export interface Simulation<T> {
  readonly value: T;
  /** Virtual time the scenario spanned, in ms. */
  readonly virtualTime: number;
  /** Real time it took to compute, in ms. */
  readonly realTime: number;
}

/**
 * Runs `scenario` on a fresh `ManualClock` and moves time on until it settles: seconds of
 * retries, backoffs and queues are computed at once, the same way tests use `ManualClock`.
 * Rejects if the scenario has not settled within `limit` ms of virtual time.
 */
export async function simulate<T>(scenario: (clock: ManualClock) => Promise<T>, limit = 600_000): Promise<Simulation<T>> {
  const clock = new ManualClock();
  const started = performance.now();
  let settledAt: number | undefined;
  const run = scenario(clock).finally(() => {
    settledAt = clock.now();
  });
  // Handled below, once time has moved; until then a failure must not count as unhandled.
  run.catch(() => undefined);
  // Waking sleepers costs time per wake-up, not per virtual ms: one long advance is cheap.
  await clock.advance(limit);
  if (settledAt === undefined) {
    throw new Error(`The simulation did not settle within ${limit} ms of virtual time`);
  }
  const value = await run;
  return { value, virtualTime: settledAt, realTime: performance.now() - started };
}
