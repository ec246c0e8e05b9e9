/** A promise settled from outside: the stand-in for a call that is still running. */
export interface Deferred<T = unknown> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = unknown>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

/** Settles `promise` into a value to assert on, so a rejection is never left unhandled. */
export function outcome<T>(promise: Promise<T>): Promise<{ value: T } | { error: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

/** The error `promise` rejects with; fails if it fulfils. */
export async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  const settled = await outcome(promise);
  if (!('error' in settled)) throw new Error(`expected a rejection, got ${String(settled.value)}`);
  return settled.error;
}

export const boom = (message = 'boom'): never => {
  throw new Error(message);
};

/** Lets every pending promise reaction and one macrotask run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Waits until `condition` holds, checking every few ms of real time: for what travels through a
 * real server (pub/sub messages, batches on a flush timer). Fails after `timeout` ms, naming
 * `what` (a function is read then, so that it can describe the state at that moment).
 */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  timeout = 5_000,
  what: string | (() => string) = 'a condition',
): Promise<number> {
  const start = performance.now();
  while (!(await condition())) {
    if (performance.now() - start > timeout) throw new Error(`${typeof what === 'string' ? what : what()} did not hold within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return performance.now() - start;
}

/** Real ms, for waits that must pass in real time (leases, timeouts). */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
