import { ManualClock } from '@cemaf/core';
import { describe, expect, it } from 'vitest';
import {
  admit,
  closed,
  due,
  fromSnapshot,
  rejection,
  resolveOptions,
  settle,
  snapshotOf,
  stateOf,
  toSnapshot,
  type Circuit,
  type Closed,
  type HalfOpen,
} from './internal.js';

describe('the internal entry', () => {
  it('is enough to drive a breaker: options, transitions, rejections and snapshots', () => {
    const clock = new ManualClock();
    const settings = resolveOptions('SharedBreaker', { failureThreshold: 2, resetTimeout: 100, clock, region: 'eu' }, ['region']);
    let circuit: Circuit = closed();
    for (let call = 0; call < 2; call++) {
      expect(admit(circuit, settings)).toBe(true);
      circuit = settle(circuit as Closed, settings, true, false);
    }
    expect(circuit).toMatchObject({ state: 'open', until: 100 });
    expect(admit(circuit, settings)).toBe(false);
    expect(rejection(circuit, clock.now())).toMatchObject({ code: 'CIRCUIT_OPEN', retryAfter: 100 });

    const restored = fromSnapshot(snapshotOf('SharedBreaker', toSnapshot(circuit, settings, 40)), settings, 1_000);
    expect(restored).toMatchObject({ state: 'open', until: 1_060 });

    circuit = due(circuit, 100);
    expect(stateOf(circuit)).toBe('half-open');
    expect([admit(circuit, settings), admit(circuit, settings)]).toEqual([true, false]);
    circuit = settle(circuit as HalfOpen, settings, false, false);
    expect(circuit).toEqual(closed());
  });

  it('names the breaker that uses it in its messages', () => {
    expect(() => resolveOptions('SharedBreaker', { halfOpenMaxCalls: 0 })).toThrow(
      new RangeError('SharedBreaker: halfOpenMaxCalls must be an integer >= 1, got 0'),
    );
    expect(() => snapshotOf('SharedBreaker', { state: 'open' })).toThrow(
      new TypeError('SharedBreaker: initialState.remaining must be a finite number >= 0, got undefined'),
    );
  });
});
