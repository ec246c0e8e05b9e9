import { describe, expect, it } from 'vitest';
import { runCoreDemo } from './core-demo.ts';

describe('runCoreDemo', () => {
  it('succeeds every call at the first try when nothing fails', async () => {
    const result = await runCoreDemo({ failureRate: 0, latency: 200, seed: 1 });
    expect(result).toMatchObject({ firstTry: 12, secondTry: 0, failed: 0, serviceCalls: 12 });
    expect(result.rows).toHaveLength(12);
    for (const row of result.rows) expect(row.spans.map((span) => span.kind)).toEqual(['ok']);
    // The last call arrives at 11 × 150 ms and takes at most 200 ms × 1.3.
    expect(result.virtualTime).toBeGreaterThanOrEqual(11 * 150 + 140);
    expect(result.virtualTime).toBeLessThanOrEqual(11 * 150 + 260);
  });

  it('gives every call its second chance, after the wait, when everything fails', async () => {
    const result = await runCoreDemo({ failureRate: 1, latency: 100, seed: 1 });
    expect(result).toMatchObject({ firstTry: 0, secondTry: 0, failed: 12, serviceCalls: 24 });
    for (const row of result.rows) {
      const [first, second, wait] = row.spans;
      expect([first?.kind, second?.kind, wait?.kind]).toEqual(['failed', 'failed', 'wait']);
      expect(second!.start - first!.end).toBe(200);
      expect(wait).toMatchObject({ start: first!.end, end: second!.start });
    }
  });

  it('adds up: every call ends in exactly one way, and attempts match the service calls', async () => {
    const result = await runCoreDemo({ failureRate: 0.4, latency: 300, seed: 7 });
    expect(result.firstTry + result.secondTry + result.failed).toBe(12);
    expect(result.serviceCalls).toBe(12 + result.secondTry + result.failed);
    expect(result.firstTry).toBeGreaterThan(0);
    expect(result.secondTry + result.failed).toBeGreaterThan(0);
  });

  it('spans longer virtual time with a longer latency, for the same draws', async () => {
    const fast = await runCoreDemo({ failureRate: 0.3, latency: 100, seed: 5 });
    const slow = await runCoreDemo({ failureRate: 0.3, latency: 900, seed: 5 });
    expect(slow.virtualTime).toBeGreaterThan(fast.virtualTime);
    expect([slow.firstTry, slow.secondTry, slow.failed]).toEqual([fast.firstTry, fast.secondTry, fast.failed]);
  });
});
