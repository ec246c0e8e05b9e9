import { ManualClock } from '@cemaf/core';
import { describe, expect, it } from 'vitest';
import { FlakyService, ServiceUnavailableError } from './flaky-service.ts';
import { seededRandom } from './random.ts';

/** A random source that returns the given draws in turn. */
const draws = (...values: number[]) => {
  let index = 0;
  return () => values[index++ % values.length]!;
};

describe('FlakyService', () => {
  it('answers after its latency on the given clock', async () => {
    const clock = new ManualClock();
    const service = new FlakyService({ clock, failureRate: 0, latency: 250 });
    let answered: number | undefined;
    void service.call().then((id) => (answered = id));

    await clock.advance(249);
    expect(answered).toBeUndefined();
    expect(service.stats).toEqual({ calls: 1, ok: 0, failed: 0, aborted: 0, inFlight: 1 });

    await clock.advance(1);
    expect(answered).toBe(1);
    expect(service.calls).toEqual([{ id: 1, start: 0, end: 250, outcome: 'ok' }]);
  });

  it('fails the calls whose draw is below the failure rate, after the latency', async () => {
    const clock = new ManualClock();
    // Failure draws 0.2 and 0.6, each followed by a latency draw.
    const service = new FlakyService({ clock, failureRate: 0.5, latency: 100, random: draws(0.2, 0.5, 0.6, 0.5) });
    const first = service.call();
    const failed = expect(first).rejects.toEqual(new ServiceUnavailableError(1));
    const second = service.call();

    await clock.advance(100);

    await failed;
    await expect(second).resolves.toBe(2);
    expect(service.calls.map((call) => [call.outcome, call.end])).toEqual([
      ['failed', 100],
      ['ok', 100],
    ]);
    await first.catch((error: ServiceUnavailableError) => expect(error.code).toBe('SERVICE_UNAVAILABLE'));
  });

  it('reads its settings at each call, so sliders take effect on the next one', async () => {
    const clock = new ManualClock();
    const service = new FlakyService({ clock, failureRate: 0, latency: 100 });
    const first = service.call();
    service.failureRate = 1;
    service.latency = 300;
    const second = service.call();
    const failed = expect(second).rejects.toThrow('Service unavailable (call 2 failed)');

    await clock.advance(300);

    await expect(first).resolves.toBe(1);
    await failed;
    expect(service.calls.map((call) => call.end)).toEqual([100, 300]);
  });

  it('spreads the latency by the jitter', async () => {
    const clock = new ManualClock();
    const service = new FlakyService({ clock, failureRate: 0, latency: 100, jitter: 0.5, random: draws(0.9, 0, 0.9, 1) });
    const calls = [service.call(), service.call()];

    await clock.advance(150);

    await Promise.all(calls);
    expect(service.calls.map((call) => call.end)).toEqual([50, 150]);
  });

  it('stops a call when its signal aborts, and records it as aborted', async () => {
    const clock = new ManualClock();
    const service = new FlakyService({ clock, failureRate: 0, latency: 100 });
    const controller = new AbortController();
    const call = service.call(controller.signal);

    await clock.advance(40);
    controller.abort(new Error('gave up'));

    await expect(call).rejects.toThrow('gave up');
    expect(service.calls).toEqual([{ id: 1, start: 0, end: 40, outcome: 'aborted' }]);
    expect(clock.pendingSleeps).toBe(0);
  });

  it('fails the same calls and more when the failure rate rises, for one seed', async () => {
    const failedIds = async (failureRate: number) => {
      const clock = new ManualClock();
      const service = new FlakyService({ clock, failureRate, latency: 10, random: seededRandom(3) });
      const calls = Array.from({ length: 50 }, () => service.call().catch(() => undefined));
      await clock.advance(10);
      await Promise.all(calls);
      return service.calls.filter((call) => call.outcome === 'failed').map((call) => call.id);
    };
    const low = await failedIds(0.2);
    const high = await failedIds(0.6);
    expect(low.length).toBeGreaterThan(0);
    expect(high.length).toBeGreaterThan(low.length);
    expect(high).toEqual(expect.arrayContaining(low));
  });
});
