import { describe, expect, it } from 'vitest';
import { runTimeoutDemo } from './timeout-demo.ts';

describe('runTimeoutDemo', () => {
  it('answers every call in time when the service is well within the deadline', async () => {
    const result = await runTimeoutDemo({ failureRate: 0, latency: 100, seed: 1, timeout: 400 });
    expect(result).toMatchObject({ answered: 10, failed: 0, timedOut: 0, serviceAborted: 0, timeoutEvents: 0 });
    expect(result.markers).toEqual([{ at: 400, label: 'deadline' }]);
  });

  it('gives up on every call at the deadline, and stops the service, when it is far slower', async () => {
    // Latency 1 000 ms ± 50 %: every call takes at least 500 ms.
    const result = await runTimeoutDemo({ failureRate: 0, latency: 1_000, seed: 1, timeout: 400 });
    expect(result).toMatchObject({ answered: 0, timedOut: 10, serviceAborted: 10, timeoutEvents: 10 });
    for (const row of result.rows) expect(row.spans).toEqual([expect.objectContaining({ start: 0, end: 400, kind: 'timeout' })]);
  });

  it('times out more calls as the latency rises past the deadline, for one seed', async () => {
    const timedOut: number[] = [];
    for (const latency of [200, 300, 400, 500, 600, 800]) {
      timedOut.push((await runTimeoutDemo({ failureRate: 0.2, latency, seed: 8, timeout: 400 })).timedOut);
    }
    expect(timedOut).toEqual([...timedOut].sort((a, b) => a - b));
    expect(timedOut[0]).toBe(0);
    expect(timedOut[timedOut.length - 1]).toBe(10);
  });

  it('ends each call at its answer or at the deadline, whichever comes first', async () => {
    const result = await runTimeoutDemo({ failureRate: 0.5, latency: 400, seed: 3, timeout: 400 });
    expect(result.answered + result.failed + result.timedOut).toBe(10);
    expect(result.failed).toBeGreaterThan(0);
    for (const { spans } of result.rows) {
      const [span] = spans;
      if (span!.kind === 'timeout') expect(span!.end).toBe(400);
      else expect(span!.end).toBeLessThan(400);
    }
  });
});
