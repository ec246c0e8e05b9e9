import { describe, expect, it } from 'vitest';
import { parseState } from './shared-state.js';

describe('parseState', () => {
  it('reads the state the script writes', () => {
    expect(parseState('1796019552392353 h 0 2 1 1 499.5 -')).toEqual({
      generation: 1796019552392353,
      state: 'h',
      remaining: 0,
      streak: 2,
      successes: 1,
      taken: 1,
      next: 499.5,
      view: '-',
    });
    expect(parseState('7 c 0 0 0 0 -1 3,1,0').view).toBe('3,1,0');
  });

  it('refuses anything else with a TypeError', () => {
    for (const text of [undefined, 42, '', '1 x 0 0 0 0 -1 -', '1 c 0 0 0 0 -1', 'a c 0 0 0 0 -1 -']) {
      expect(() => parseState(text)).toThrow(new TypeError(`RedisCircuitBreaker: unexpected state from Redis: ${String(text)}`));
    }
  });
});
