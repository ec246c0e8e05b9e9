import { ManualClock } from '@cemaf/core';
import { afterEach, describe, expect, it } from 'vitest';
import { BreakerDemo } from './circuit-breaker-demo.ts';
import { seededRandom } from './random.ts';

const running: AbortController[] = [];
afterEach(() => {
  for (const controller of running.splice(0)) controller.abort();
});

function start(failureRate: number, latency = 100) {
  const clock = new ManualClock();
  let changes = 0;
  const demo = new BreakerDemo({ clock, failureRate, latency, jitter: 0, random: seededRandom(1), onChange: () => changes++ });
  const controller = new AbortController();
  running.push(controller);
  void demo.run(controller.signal);
  return { clock, demo, controller, changes: () => changes };
}

describe('BreakerDemo', () => {
  it('stays closed and counts every call as a success when nothing fails', async () => {
    const { clock, demo, changes } = start(0);
    await clock.advance(2_500);
    const view = demo.view();
    expect(view).toMatchObject({ state: 'closed', failures: 0, rejections: 0, stateChanges: 0, timesOpened: 0 });
    // Calls at 0, 250, ..., 2 500 ms; the one made at 2 500 ms is still in flight.
    expect(view.successes).toBe(10);
    expect(view.calls).toBe(10);
    expect(view.entered).toEqual({ closed: 1, open: 0, 'half-open': 0 });
    expect(view.recent.map((call) => call.outcome)).toEqual([...Array<string>(10).fill('ok'), undefined]);
    expect(changes()).toBeGreaterThan(0);
  });

  it('opens after 3 failures in a row and turns calls away while open', async () => {
    const { clock, demo } = start(1);
    // Failures end at 100, 350 and 600 ms: the third opens the circuit.
    await clock.advance(600);
    expect(demo.view()).toMatchObject({ state: 'open', failures: 3, timesOpened: 1, stateChanges: 1, retryAfter: 2_000 });
    expect(demo.view().lastTransition).toEqual({ from: 'closed', to: 'open', at: 600 });
    await clock.advance(1_000);
    const view = demo.view();
    expect(view).toMatchObject({ state: 'open', failures: 3, retryAfter: 1_000 });
    // Calls at 750, 1 000, 1 250 and 1 500 ms were turned away without reaching the service.
    expect(view.rejections).toBe(4);
    expect(demo.service.stats.calls).toBe(3);
  });

  it('lets a trial through after resetTimeout, and opens again when it fails', async () => {
    const { clock, demo } = start(1);
    await clock.advance(2_600);
    // Opened at 600 ms; half-open from 2 600 ms; the call at 2 750 ms is the trial.
    expect(demo.view().state).toBe('half-open');
    await clock.advance(250);
    expect(demo.view()).toMatchObject({ state: 'open', timesOpened: 2 });
    expect(demo.view().entered).toEqual({ closed: 1, open: 2, 'half-open': 1 });
    expect(demo.view().lastTransition).toMatchObject({ from: 'half-open', to: 'open' });
  });

  it('closes again once the service recovers', async () => {
    const { clock, demo } = start(1);
    await clock.advance(1_000);
    expect(demo.view().state).toBe('open');
    demo.service.failureRate = 0;
    await clock.advance(2_000);
    const view = demo.view();
    expect(view.state).toBe('closed');
    expect(view.entered).toEqual({ closed: 2, open: 1, 'half-open': 1 });
    expect(view.stateChanges).toBe(3);
    expect(view.lastTransition).toMatchObject({ from: 'half-open', to: 'closed' });
  });

  it('starts afresh on reset', async () => {
    const { clock, demo } = start(1);
    await clock.advance(1_000);
    demo.reset();
    expect(demo.view()).toMatchObject({ state: 'closed', calls: 0, failures: 0, rejections: 0, stateChanges: 0, time: 0, recent: [] });
  });

  it('stops calling when its signal aborts, leaving nothing asleep', async () => {
    const { clock, demo, controller } = start(0);
    await clock.advance(300);
    controller.abort();
    await clock.advance(1_000);
    expect(demo.service.stats.calls).toBe(2);
    expect(clock.pendingSleeps).toBe(0);
  });
});
