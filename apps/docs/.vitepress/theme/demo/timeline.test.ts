import { describe, expect, it } from 'vitest';
import { formatMs, ticks, timelineEnd } from './timeline.ts';

describe('ticks', () => {
  it('uses round steps of 1, 2 or 5 times a power of ten and reaches the end', () => {
    expect(ticks(1_000)).toEqual([0, 200, 400, 600, 800, 1_000]);
    expect(ticks(2_700)).toEqual([0, 500, 1_000, 1_500, 2_000, 2_500, 3_000]);
    expect(ticks(45)).toEqual([0, 10, 20, 30, 40, 50]);
  });

  it('gives a single tick for an empty timeline', () => {
    expect(ticks(0)).toEqual([0]);
  });
});

describe('timelineEnd', () => {
  it('is the latest span end or marker', () => {
    const rows = [
      { label: 'a', spans: [{ start: 0, end: 120, kind: 'ok' as const }] },
      { label: 'b', spans: [{ start: 50, end: 300, kind: 'failed' as const }] },
    ];
    expect(timelineEnd(rows)).toBe(300);
    expect(timelineEnd(rows, [{ at: 450, label: 'opened' }])).toBe(450);
    expect(timelineEnd([])).toBe(0);
  });
});

describe('formatMs', () => {
  it('says ms below a second and s above', () => {
    expect(formatMs(850)).toBe('850 ms');
    expect(formatMs(1_000)).toBe('1 s');
    expect(formatMs(1_500)).toBe('1.5 s');
    expect(formatMs(2_250)).toBe('2.25 s');
    expect(formatMs(12_500)).toBe('12.5 s');
    expect(formatMs(1_000.4)).toBe('1 s');
  });
});
