import { describe, expect, it } from 'vitest';
import { backoffKinds, runRetryDemo } from './retry-demo.ts';
import type { TimelineRow } from './timeline.ts';

const attemptsOf = (row: TimelineRow) => row.spans.filter((span) => span.kind !== 'wait');
const waitsOf = (row: TimelineRow) => row.spans.filter((span) => span.kind === 'wait').map((span) => span.end - span.start);

describe('runRetryDemo', () => {
  it('makes one attempt per call and waits nowhere when nothing fails', async () => {
    const result = await runRetryDemo({ failureRate: 0, latency: 200, seed: 1 });
    expect(result.rows).toHaveLength(backoffKinds.length * 4);
    expect(result.attempts).toBe(20);
    for (const summary of result.kinds) expect(summary).toMatchObject({ attempts: 4, succeeded: 4, gaveUp: 0, waited: 0 });
    for (const row of result.rows) expect(row.spans.map((span) => span.kind)).toEqual(['ok']);
  });

  it('waits what each backoff kind says between the attempts, when everything fails', async () => {
    const result = await runRetryDemo({ failureRate: 1, latency: 100, seed: 1, maxAttempts: 5, initialDelay: 100, maxDelay: 2_000 });
    expect(result.attempts).toBe(backoffKinds.length * 4 * 5);
    const rowOf = (kind: string) => result.rows.find((row) => row.group === kind)!;
    expect(waitsOf(rowOf('constant'))).toEqual([100, 100, 100, 100]);
    expect(waitsOf(rowOf('linear'))).toEqual([100, 200, 300, 400]);
    expect(waitsOf(rowOf('exponential'))).toEqual([100, 200, 400, 800]);
    expect(waitsOf(rowOf('fibonacci'))).toEqual([100, 100, 200, 300]);
    const jitter = waitsOf(rowOf('jitter'));
    [100, 200, 400, 800].forEach((cap, index) => {
      expect(jitter[index]).toBeGreaterThanOrEqual(0);
      expect(jitter[index]).toBeLessThan(cap);
    });
    for (const summary of result.kinds) expect(summary).toMatchObject({ attempts: 20, succeeded: 0, gaveUp: 4 });
  });

  it('starts each attempt exactly when the wait the policy reported ends', async () => {
    const result = await runRetryDemo({ failureRate: 0.6, latency: 300, seed: 3 });
    for (const row of result.rows) {
      const spans = row.spans;
      const attempts = attemptsOf(row);
      const waits = spans.filter((span) => span.kind === 'wait');
      expect(waits).toHaveLength(attempts.length - 1);
      waits.forEach((wait, index) => {
        expect(wait.start).toBe(attempts[index]!.end);
        expect(attempts[index + 1]!.start).toBeCloseTo(wait.end, 9);
      });
    }
  });

  it('gives every kind the same luck: the same attempts, only the waits differ', async () => {
    const result = await runRetryDemo({ failureRate: 0.5, latency: 200, seed: 11 });
    const outcomesOf = (kind: string) =>
      result.rows.filter((row) => row.group === kind).map((row) => attemptsOf(row).map((span) => span.kind).join());
    for (const kind of backoffKinds) expect(outcomesOf(kind)).toEqual(outcomesOf('constant'));
    const finished = result.kinds.map((summary) => summary.finishedAt);
    expect(new Set(finished).size).toBeGreaterThan(1);
  });

  it('makes more attempts as the failure rate rises, for one seed', async () => {
    const attempts: number[] = [];
    for (const failureRate of [0, 0.2, 0.4, 0.6, 0.8, 1]) attempts.push((await runRetryDemo({ failureRate, latency: 200, seed: 5 })).attempts);
    expect(attempts).toEqual([...attempts].sort((a, b) => a - b));
    expect(attempts[0]).toBe(20);
    expect(attempts[attempts.length - 1]).toBe(100);
  });
});
