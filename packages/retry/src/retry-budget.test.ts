import { ManualClock } from '@cemaf/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RetryBudget, type RetryBudgetOptions } from './retry-budget.js';

function withdrawals(budget: RetryBudget, tries: number): number {
  let granted = 0;
  for (let i = 0; i < tries; i++) if (budget.tryWithdraw()) granted++;
  return granted;
}

describe('RetryBudget', () => {
  it('allows minRetriesPerSecond x ttl/1000 retries with no calls: 100 in 10 s by default', () => {
    const budget = new RetryBudget({ clock: new ManualClock() });
    expect(budget.balance).toBe(100);
    expect(withdrawals(budget, 150)).toBe(100);
    expect(budget.balance).toBe(0);
  });

  it('adds ratio x the calls of the last ttl', () => {
    const budget = new RetryBudget({ clock: new ManualClock(), ratio: 0.2, minRetriesPerSecond: 0 });
    for (let i = 0; i < 10; i++) budget.deposit();
    expect(budget.balance).toBe(2);
    expect(withdrawals(budget, 5)).toBe(2);
    for (let i = 0; i < 4; i++) budget.deposit();
    expect(withdrawals(budget, 5)).toBe(0); // 14 calls x 0.2 = 2.8: still 2
    budget.deposit();
    expect(withdrawals(budget, 5)).toBe(1); // 15 x 0.2 = 3
  });

  it('counts whole retries despite float products (0.1 x 30 = 3)', () => {
    const budget = new RetryBudget({ clock: new ManualClock(), ratio: 0.1, minRetriesPerSecond: 0 });
    for (let i = 0; i < 30; i++) budget.deposit();
    expect(withdrawals(budget, 5)).toBe(3);
  });

  it('forgets calls exactly ttl after they were made', async () => {
    const clock = new ManualClock();
    const budget = new RetryBudget({ clock, ratio: 1, minRetriesPerSecond: 0, ttl: 1_000 });
    budget.deposit(); // at 0
    await clock.advance(400);
    budget.deposit(); // at 400
    await clock.advance(599); // 999
    expect(budget.balance).toBe(2);
    await clock.advance(1); // 1000: the first call is gone
    expect(budget.balance).toBe(1);
    await clock.advance(399); // 1399
    expect(budget.balance).toBe(1);
    await clock.advance(1); // 1400
    expect(budget.balance).toBe(0);
    expect(budget.tryWithdraw()).toBe(false);
  });

  it('recovers when its retries are ttl old', async () => {
    const clock = new ManualClock();
    const budget = new RetryBudget({ clock, ratio: 0, minRetriesPerSecond: 1, ttl: 3_000 });
    expect(withdrawals(budget, 5)).toBe(3);
    await clock.advance(2_999);
    expect(budget.tryWithdraw()).toBe(false);
    await clock.advance(1);
    expect(withdrawals(budget, 5)).toBe(3);
  });

  it('counts an event at a fractional time from the next whole millisecond: never forgotten early', async () => {
    const clock = new ManualClock(0.25);
    const budget = new RetryBudget({ clock, ratio: 1, minRetriesPerSecond: 0, ttl: 100 });
    budget.deposit(); // counted from 1
    await clock.advance(100.5); // 100.75
    expect(budget.balance).toBe(1);
    await clock.advance(0.25); // 101
    expect(budget.balance).toBe(0);
  });

  it('keeps its balance at 0 rather than negative when calls expire before retries', async () => {
    const clock = new ManualClock();
    const budget = new RetryBudget({ clock, ratio: 1, minRetriesPerSecond: 0, ttl: 1_000 });
    for (let i = 0; i < 3; i++) budget.deposit();
    await clock.advance(500);
    expect(withdrawals(budget, 3)).toBe(3);
    await clock.advance(500);
    expect(budget.balance).toBe(0);
  });

  it('handles a million calls within one millisecond', () => {
    const budget = new RetryBudget({ clock: new ManualClock(), ratio: 0.5, minRetriesPerSecond: 0 });
    for (let i = 0; i < 1_000_000; i++) budget.deposit();
    expect(budget.balance).toBe(500_000);
  });

  it('keeps exact counts while old entries are dropped, one call per millisecond for 1 s', async () => {
    const clock = new ManualClock();
    const budget = new RetryBudget({ clock, ratio: 1, minRetriesPerSecond: 0, ttl: 100 });
    for (let ms = 0; ms < 1_000; ms++) {
      budget.deposit();
      expect(budget.balance).toBe(Math.min(ms + 1, 100));
      await clock.advance(1);
    }
  });

  it('works on the system clock by default', () => {
    expect(new RetryBudget().tryWithdraw()).toBe(true);
  });

  it('agrees with a plain log of every event (property test)', async () => {
    type Op = { kind: 'deposit' } | { kind: 'withdraw' } | { kind: 'advance'; ms: number };
    const op = fc.oneof(
      fc.constant<Op>({ kind: 'deposit' }),
      fc.constant<Op>({ kind: 'withdraw' }),
      fc.integer({ min: 0, max: 400 }).map<Op>((ms) => ({ kind: 'advance', ms })),
    );
    const options = fc.record({
      ratio: fc.constantFrom(0, 0.1, 0.2, 0.5, 1, 2),
      minRetriesPerSecond: fc.constantFrom(0, 1, 2.5),
      ttl: fc.integer({ min: 1, max: 2_000 }),
    });
    await fc.assert(
      fc.asyncProperty(options, fc.array(op, { maxLength: 300 }), async ({ ratio, minRetriesPerSecond, ttl }, ops) => {
        const clock = new ManualClock();
        const budget = new RetryBudget({ clock, ratio, minRetriesPerSecond, ttl });
        const calls: number[] = [];
        const retries: number[] = [];
        const recent = (times: number[]) => times.filter((time) => time > clock.now() - ttl).length;
        for (const step of ops) {
          if (step.kind === 'advance') await clock.advance(step.ms);
          else if (step.kind === 'deposit') {
            budget.deposit();
            calls.push(clock.now());
          } else {
            const allowed = recent(retries) + 1 <= ratio * recent(calls) + (minRetriesPerSecond * ttl) / 1_000 + 1e-9;
            expect(budget.tryWithdraw()).toBe(allowed);
            if (allowed) retries.push(clock.now());
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it.each<[string, RetryBudgetOptions | number, typeof TypeError | typeof RangeError, string]>([
    ['options not an object', 1, TypeError, 'RetryBudget: options must be an object, got 1'],
    ['a negative ratio', { ratio: -0.1 }, RangeError, 'RetryBudget: ratio must be a finite number >= 0, got -0.1'],
    ['an Infinity ratio', { ratio: Infinity }, RangeError, 'RetryBudget: ratio must be a finite number >= 0, got Infinity'],
    ['a string ratio', { ratio: '0.2' as never }, TypeError, 'RetryBudget: ratio must be a finite number >= 0, got "0.2"'],
    ['a negative minRetriesPerSecond', { minRetriesPerSecond: -1 }, RangeError, 'RetryBudget: minRetriesPerSecond must be a finite number >= 0, got -1'],
    ['a NaN minRetriesPerSecond', { minRetriesPerSecond: Number.NaN }, RangeError, 'RetryBudget: minRetriesPerSecond must be a finite number >= 0, got NaN'],
    ['a ttl of 0', { ttl: 0 }, RangeError, 'RetryBudget: ttl must be a finite number > 0, got 0'],
    ['an Infinity ttl', { ttl: Infinity }, RangeError, 'RetryBudget: ttl must be a finite number > 0, got Infinity'],
    ['a string ttl', { ttl: '10s' as never }, TypeError, 'RetryBudget: ttl must be a finite number > 0, got "10s"'],
    ['a clock that is not one', { clock: {} as never }, TypeError, 'RetryBudget: clock must be a Clock (an object with now() and sleep()), got an object'],
    ['an unknown option', { percent: 20 } as never, TypeError, 'RetryBudget: unknown option "percent"; the options are ratio, minRetriesPerSecond, ttl, clock'],
  ])('refuses %s', (_, options, ErrorType, message) => {
    const make = () => new RetryBudget(options as RetryBudgetOptions);
    expect(make).toThrow(new ErrorType(message));
    expect(make).toThrow(ErrorType);
  });
});
