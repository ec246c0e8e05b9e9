import { systemClock, type Clock } from './clock.js';

/** A value as error messages show it: strings quoted, objects by kind. */
export function describe(value: unknown): string {
  return typeof value === 'string'
    ? JSON.stringify(value)
    : typeof value === 'function'
      ? 'a function'
      : Array.isArray(value)
        ? 'an array'
        : typeof value === 'object' && value !== null
          ? 'an object'
          : String(value);
}

/**
 * Throws the one error shape every option check uses:
 * `RangeError: RetryPolicy: maxAttempts must be an integer >= 1, got 0`.
 * A wrong type is a `TypeError`, a wrong value of the right type a `RangeError`.
 */
export function invalid(
  owner: string,
  name: string,
  rule: string,
  value: unknown,
  ErrorType: typeof TypeError | typeof RangeError = RangeError,
): never {
  throw new ErrorType(`${owner}: ${name} must be ${rule}, got ${describe(value)}`);
}

/**
 * Checks that `options` is a plain object (or undefined) with no option name outside `known`,
 * and returns it.
 */
export function optionsOf(
  owner: string,
  options: unknown,
  known: readonly string[],
): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    invalid(owner, 'options', 'an object', options, TypeError);
  }
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) {
      throw new TypeError(
        `${owner}: unknown option ${JSON.stringify(name)}; the options are ${known.join(', ')}`,
      );
    }
  }
  return options as Record<string, unknown>;
}

/** What a number option must be. Without `integer` or `infinity`, it must be finite. */
export interface NumberRule {
  readonly integer?: boolean;
  /** Allow `Infinity` (an integer rule then also takes it). */
  readonly infinity?: boolean;
  readonly min?: number;
  /** Exclusive lower bound. */
  readonly above?: number;
  readonly max?: number;
}

function ruleText({ integer, infinity, min, above, max }: NumberRule): string {
  const low = above ?? min;
  return (
    (integer ? 'an integer' : infinity ? 'a number' : 'a finite number') +
    (above !== undefined ? ` > ${above}` : min !== undefined ? ` >= ${min}` : '') +
    (max !== undefined ? `${low === undefined ? '' : ' and'} <= ${max}` : '')
  );
}

/** Checks a number option; `undefined` gives `fallback`. */
export function numberOption<Fallback extends number | undefined>(
  owner: string,
  name: string,
  value: unknown,
  rule: NumberRule,
  fallback: Fallback,
): number | Fallback {
  if (value === undefined) return fallback;
  const { integer, infinity, min = -Infinity, above = -Infinity, max = Infinity } = rule;
  const valid =
    typeof value === 'number' &&
    (value === Infinity
      ? infinity === true && max === Infinity
      : (integer ? Number.isInteger(value) : Number.isFinite(value)) && value >= min && value > above && value <= max);
  if (!valid) invalid(owner, name, ruleText(rule), value, typeof value === 'number' ? RangeError : TypeError);
  return value;
}

/** Checks that a required option is there. */
export function requiredOption(owner: string, name: string, value: unknown, rule: string): void {
  if (value === undefined) invalid(owner, name, rule, value, TypeError);
}

/** Checks a function option; `undefined` gives `undefined`. */
export function functionOption<F extends (...args: never[]) => unknown>(
  owner: string,
  name: string,
  value: unknown,
): F | undefined {
  if (value !== undefined && typeof value !== 'function') {
    invalid(owner, name, 'a function', value, TypeError);
  }
  return value as F | undefined;
}

/** Checks an option that takes one of a few strings; `undefined` gives `fallback`. */
export function choiceOption<Choice extends string>(
  owner: string,
  name: string,
  value: unknown,
  choices: readonly Choice[],
  fallback: Choice,
): Choice {
  if (value === undefined) return fallback;
  if (!choices.includes(value as Choice)) {
    invalid(
      owner,
      name,
      `one of ${choices.map((choice) => `'${choice}'`).join(', ')}`,
      value,
      typeof value === 'string' ? RangeError : TypeError,
    );
  }
  return value as Choice;
}

/** Checks a `clock` option; `undefined` gives `systemClock`. */
export function clockOption(owner: string, value: unknown): Clock {
  if (value === undefined) return systemClock;
  const { now, sleep } = (value ?? {}) as Partial<Clock>;
  if (typeof now !== 'function' || typeof sleep !== 'function') {
    invalid(owner, 'clock', 'a Clock (an object with now() and sleep())', value, TypeError);
  }
  return value as Clock;
}
