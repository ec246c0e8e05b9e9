import { describe, expect, it } from 'vitest';
import { DeadlineContext } from './deadline-context.js';

describe('DeadlineContext', () => {
  it('carries the attempt and hands out one signal, not aborted until abort()', () => {
    const ctx = new DeadlineContext(3);
    expect(ctx.attempt).toBe(3);
    expect(ctx.signal).toBe(ctx.signal);
    expect(ctx.signal.aborted).toBe(false);
    const reason = new Error('deadline');
    ctx.abort(reason);
    expect(ctx.signal.aborted).toBe(true);
    expect(ctx.signal.reason).toBe(reason);
  });

  it('gives a signal first read after abort() that is already aborted with the reason', () => {
    const ctx = new DeadlineContext(1);
    ctx.abort('caller went away');
    expect(ctx.signal.aborted).toBe(true);
    expect(ctx.signal.reason).toBe('caller went away');
  });

  it('keeps the first reason', () => {
    const early = new DeadlineContext(1);
    early.abort('first');
    early.abort('second');
    expect(early.signal.reason).toBe('first');

    const read = new DeadlineContext(1);
    const { signal } = read;
    read.abort('first');
    read.abort('second');
    expect(signal.reason).toBe('first');
  });
});
