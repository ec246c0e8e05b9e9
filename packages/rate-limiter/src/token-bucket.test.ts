import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arrivals, configs, replayAndCheck } from '../test/arrivals.js';
import { latenesses } from '../test/late-clock.js';
import { tokenBucket } from './token-bucket.js';

describe('tokenBucket', () => {
  // 2 tokens per 100 ms (one every 50 ms), bucket of 4.
  const bucket = tokenBucket(2, 100, 4);

  it('starts full and refills continuously, up to the burst', () => {
    expect(bucket.remaining(undefined, 0)).toBe(4);
    const due = bucket.take(undefined, 4, 0);
    expect(bucket.remaining(due, 0)).toBe(0);
    expect(bucket.remaining(due, 49)).toBe(0);
    expect(bucket.remaining(due, 50)).toBe(1);
    expect(bucket.remaining(due, 125)).toBe(2);
    expect(bucket.remaining(due, 200)).toBe(4);
    expect(bucket.remaining(due, 10_000)).toBe(4);
  });

  it('finds when a cost fits, and when the bucket is full again', () => {
    const due = bucket.take(undefined, 4, 0);
    expect(bucket.earliest(due, 1)).toBe(50);
    expect(bucket.earliest(due, 3)).toBe(150);
    expect(bucket.earliest(due, 4)).toBe(200); // full again
    expect(bucket.earliest(undefined, 4)).toBe(-Infinity);
  });

  it('stays exact where a token takes a fraction of a millisecond', () => {
    // 3 per 1 000 ms: a token every 333.33... ms, kept in integers.
    const thirds = tokenBucket(3, 1_000, 3);
    let due = thirds.take(undefined, 3, 0);
    for (let time = 1; time <= 999; time++) expect(thirds.remaining(due, time)).toBe(Math.floor((time * 3) / 1_000));
    expect(thirds.remaining(due, 1_000)).toBe(3);
    expect(thirds.earliest(due, 3)).toBe(1_000);
    due = thirds.take(due, 1, 1_000);
    due = thirds.take(due, 1, 1_000);
    due = thirds.take(due, 1, 1_000);
    expect(thirds.earliest(due, 3)).toBe(2_000);
  });

  it('never goes below empty, and nobody waits longer than needed (property)', async () => {
    await fc.assert(fc.asyncProperty(configs('token-bucket'), arrivals, (config, script) => replayAndCheck(config, script)), { numRuns: 150 });
  }, 60_000); // virtual time, but many runs: room for a loaded machine

  it('keeps the limit for the times calls really start when wake-ups come late, first come first served (property)', async () => {
    await fc.assert(fc.asyncProperty(configs('token-bucket'), arrivals, latenesses, replayAndCheck), { numRuns: 150 });
  }, 60_000); // virtual time, but many runs: room for a loaded machine
});
