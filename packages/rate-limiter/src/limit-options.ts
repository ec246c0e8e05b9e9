import {
  choiceOption,
  invalid,
  numberOption,
  requiredOption,
  type NumberRule,
} from '@cemaf/core/internal';
import type { RateLimitAlgorithm } from './options.js';

/**
 * A checked limit: the options every rate limiter shares, defaults filled in. Each field is the
 * option of the same name, but for `capacity` and `window`.
 */
export interface LimitSettings {
  readonly algorithm: RateLimitAlgorithm;
  readonly maxCalls: number;
  readonly timeWindow: number;
  /** The most permits a key holds: `maxCalls`, or `burst` for the token bucket. */
  readonly capacity: number;
  /** The policy window in ms, for headers: the time to refill the whole capacity. */
  readonly window: number;
  readonly maxWait: number;
  readonly maxQueue: number;
  /** What a call's `cost` must be: an integer from 0 to the capacity (see `checkCost`). */
  readonly cost: NumberRule;
}

/** The options that `limitOf` checks, in the order an unknown option's message lists them. */
export const LIMIT_OPTIONS: readonly string[] = ['maxCalls', 'timeWindow', 'algorithm', 'burst', 'maxWait', 'maxQueue'];

const POSITIVE_INTEGER: NumberRule = { integer: true, min: 1 };

/**
 * Checks the options every rate limiter shares (`LIMIT_OPTIONS`) among the `given` ones, which
 * `optionsOf` has vetted; throws a TypeError / RangeError whose message starts with `owner`.
 */
export function limitOf(owner: string, given: Readonly<Record<string, unknown>>): LimitSettings {
  requiredOption(owner, 'maxCalls', given['maxCalls'], 'an integer >= 1');
  const maxCalls = numberOption(owner, 'maxCalls', given['maxCalls'], POSITIVE_INTEGER, 0);
  requiredOption(owner, 'timeWindow', given['timeWindow'], 'a finite number > 0');
  const timeWindow = numberOption(owner, 'timeWindow', given['timeWindow'], { above: 0 }, 0);
  const algorithm = choiceOption<RateLimitAlgorithm>(
    owner,
    'algorithm',
    given['algorithm'],
    ['sliding-window', 'token-bucket', 'fixed-window'],
    'sliding-window',
  );
  if (algorithm !== 'token-bucket' && given['burst'] !== undefined) {
    throw new TypeError(`${owner}: burst applies only to algorithm 'token-bucket', got algorithm '${algorithm}'`);
  }
  // Only the token bucket takes a burst other than maxCalls.
  const capacity = numberOption(owner, 'burst', given['burst'], POSITIVE_INTEGER, maxCalls);
  return {
    algorithm,
    maxCalls,
    timeWindow,
    capacity,
    window: (capacity * timeWindow) / maxCalls,
    maxWait: numberOption(owner, 'maxWait', given['maxWait'], { min: 0, infinity: true }, Infinity),
    maxQueue: numberOption(owner, 'maxQueue', given['maxQueue'], { integer: true, min: 0, infinity: true }, Infinity),
    cost: { integer: true, min: 0, max: capacity },
  };
}

/** Checks a per-call key: a string, or undefined for the limiter's own budget. */
export function checkKey(owner: string, key: unknown): string | undefined {
  if (key !== undefined && typeof key !== 'string') invalid(owner, 'key', 'a string', key, TypeError);
  return key;
}

/** Checks a per-call signal: an AbortSignal, or undefined. */
export function checkSignal(owner: string, signal: unknown): AbortSignal | undefined {
  if (signal !== undefined && !(signal instanceof AbortSignal)) invalid(owner, 'signal', 'an AbortSignal', signal, TypeError);
  return signal;
}

/** Checks a per-call cost against the limit's `cost` rule; 1 when left out. */
export function checkCost(owner: string, cost: unknown, rule: NumberRule): number {
  return numberOption(owner, 'cost', cost, rule, 1);
}
