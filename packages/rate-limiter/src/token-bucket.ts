import type { Algorithm } from './algorithm.js';

/**
 * The token bucket as GCRA: the state is one number, the theoretical arrival time of the next
 * permit when the bucket is drained. It is kept in ms x maxCalls, where a token is `timeWindow`
 * units, so that integer inputs give exact integer arithmetic (no drift from 1000 / 3 steps).
 */
export function tokenBucket(maxCalls: number, timeWindow: number, burst: number): Algorithm<number> {
  const capacity = burst * timeWindow;
  return {
    earliest: (due, cost) => (due === undefined ? -Infinity : (due + cost * timeWindow - capacity) / maxCalls),
    take: (due, cost, time) => Math.max(due ?? -Infinity, time * maxCalls) + cost * timeWindow,
    remaining: (due, now) =>
      due === undefined ? burst : Math.min(burst, Math.floor((capacity - due + now * maxCalls) / timeWindow)),
    copy: (due) => due,
  };
}
