import { ManualClock } from '@cemaf/core';
import { resolveOptions } from '@cemaf/circuit-breaker/internal';
import { describe, expect, it } from 'vitest';
import { createTally } from './tally.js';

const settingsOf = (options: object) => resolveOptions('RedisCircuitBreaker', options);
const sameTime = (now: number) => now;

describe('the consecutive count', () => {
  it('sums a batch up as failures before the first success, the longest run between, those after the last, and whether one succeeded', () => {
    const tally = createTally(settingsOf({ failureThreshold: 10 }), sameTime);
    for (const failed of [true, true, false, true, true, true, false, true, false, true]) tally.add(failed, false);
    expect(tally.pending).toBe(10);
    expect(tally.take()).toBe('2 3 1 1');
    expect(tally.pending).toBe(0);
    tally.add(true, false);
    expect(tally.take()).toBe('1 0 0 0');
  });

  it('judges an opening on what Redis reported plus what is pending, and reports the count', () => {
    const tally = createTally(settingsOf({ failureThreshold: 3 }), sameTime);
    tally.learn('1');
    expect(tally.add(true, false)).toBe(false);
    expect(tally.counts()).toEqual({ recentFailures: 2 });
    expect(tally.add(true, false)).toBe(true);
    tally.take();
    // Until Redis says otherwise, what was sent counts as counted.
    expect(tally.counts()).toEqual({ recentFailures: 3 });
    tally.learn('0');
    expect(tally.add(false, false)).toBe(false);
    expect(tally.add(true, false)).toBe(false);
    expect(tally.counts()).toEqual({ recentFailures: 1 });
  });
});

describe('the failure window', () => {
  it('reports the ages of its failures only, the last failureThreshold of them, and judges an opening by their times', async () => {
    const clock = new ManualClock();
    const tally = createTally(settingsOf({ failureThreshold: 3, failureWindow: 1_000, clock }), sameTime);
    tally.add(false, false);
    expect(tally.pending).toBe(0);
    tally.learn('900,300');
    expect(tally.counts()).toEqual({ recentFailures: 2 });
    await clock.advance(150);
    // Failures at -900, -300 and 150 span 1 050 ms: no.
    expect(tally.add(true, false)).toBe(false);
    await clock.advance(50);
    // -300, 150 and 200 do.
    expect(tally.add(true, false)).toBe(true);
    await clock.advance(10);
    expect(tally.take()).toBe('60 10');
    expect(tally.counts()).toEqual({ recentFailures: 3 });
  });
});

describe('the count window', () => {
  it('reports the last size calls as runs of kinds, and judges the rate Redis reported plus the calls pending', () => {
    const tally = createTally(settingsOf({ window: { size: 4, failureRate: 0.5, slowCallDuration: 10, slowCallRate: 0.5 } }), sameTime);
    // The calls pending push Redis's oldest ones out, which are taken to fail at its rate.
    tally.learn('4,2,0');
    expect(tally.add(false, false)).toBe(false);
    expect(tally.add(true, false)).toBe(true);
    expect(tally.counts()).toEqual({ recentFailures: 2, window: { calls: 4, failures: 2, slowCalls: 0 } });
    for (const [failed, slow] of [[true, true], [false, true], [false, true], [false, false]] as const) tally.add(failed, slow);
    expect(tally.take()).toBe('F1S2s1');
    expect(tally.pending).toBe(0);
  });
});

describe('the time window', () => {
  it('reports each bucket of size / 10 ms, on the server’s time, with its calls, failures and slow calls', async () => {
    const clock = new ManualClock(1_000);
    const tally = createTally(settingsOf({ window: { type: 'time', size: 1_000, minimumCalls: 4, failureRate: 0.5 }, clock }), (now) => now + 50);
    tally.add(true, false);
    tally.add(false, true);
    await clock.advance(60);
    tally.add(false, false);
    expect(tally.take()).toBe('10 2 1 1 11 1 0 0');
    tally.learn('3,1,0');
    expect(tally.add(true, false)).toBe(true);
    expect(tally.counts()).toEqual({ recentFailures: 2, window: { calls: 4, failures: 2, slowCalls: 0 } });
  });
});
