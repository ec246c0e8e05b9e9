// The portable part of the runtime matrix: registers and runs smoke checks. Plain ES2022 with no
// imports, so Node >= 18, Bun, Deno and a browser page all run this very file.

/** A failed expectation in a smoke check. */
export class SmokeFailure extends Error {
  constructor(message) {
    super(message);
    this.name = 'SmokeFailure';
  }
}

function show(value) {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return `[function ${value.name}]`;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The few assertions the smoke modules need; each throws a `SmokeFailure` naming what it saw. */
export const assert = {
  ok(value, what) {
    if (!value) throw new SmokeFailure(`${what}: expected a truthy value, got ${show(value)}`);
  },
  equal(actual, expected, what) {
    if (!Object.is(actual, expected)) {
      throw new SmokeFailure(`${what}: expected ${show(expected)}, got ${show(actual)}`);
    }
  },
  deepEqual(actual, expected, what) {
    const [a, b] = [show(actual), show(expected)];
    if (a !== b) throw new SmokeFailure(`${what}: expected ${b}, got ${a}`);
  },
  /** Calls `fn`, expects it to throw synchronously, and returns what it threw. */
  throws(fn, what) {
    try {
      fn();
    } catch (error) {
      return error;
    }
    throw new SmokeFailure(`${what}: expected a synchronous throw, but it returned`);
  },
  /** Expects `promise` to reject, and returns the reason. */
  async rejects(promise, what) {
    if (typeof promise?.then !== 'function') {
      throw new SmokeFailure(`${what}: expected a promise, got ${show(promise)}`);
    }
    let value;
    try {
      value = await promise;
    } catch (error) {
      return error;
    }
    throw new SmokeFailure(`${what}: expected a rejection, but it resolved with ${show(value)}`);
  },
  /** Expects an error of class `Type` (compared by name too) with exactly `message`, if given. */
  error(error, Type, message, what) {
    if (!(error instanceof Type) || error.name !== Type.name) {
      throw new SmokeFailure(`${what}: expected a ${Type.name}, got ${show(error)}`);
    }
    if (message !== undefined && error.message !== message) {
      throw new SmokeFailure(`${what}: expected the message ${show(message)}, got ${show(error.message)}`);
    }
  },
};

/** Whether `promise` is still pending after the microtask queue and one macrotask have run. */
export async function isPending(promise) {
  let pending = true;
  promise.then(
    () => (pending = false),
    () => (pending = false),
  );
  await new Promise((resolve) => setTimeout(resolve, 0));
  return pending;
}

/** A promise with its resolve and reject (`Promise.withResolvers` is missing on Node 18 and 20). */
export function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * Marks `promise` as handled now and returns it: a check that moves time before awaiting a
 * call's rejection would otherwise leave an unhandled rejection behind, through no fault of the
 * package.
 */
export function track(promise) {
  promise.then(undefined, () => undefined);
  return promise;
}

/** Lets pending microtasks and one macrotask run, so a policy reaches its next wait. */
export function tick() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Records rejections nobody handled, in whichever way this runtime reports them. */
function watchUnhandledRejections() {
  const seen = [];
  const g = globalThis;
  if (g.Deno === undefined && typeof g.process?.on === 'function') {
    const listener = (reason) => seen.push(reason);
    g.process.on('unhandledRejection', listener);
    return { seen, stop: () => g.process.off('unhandledRejection', listener) };
  }
  const listener = (event) => {
    event.preventDefault();
    seen.push(event.reason);
  };
  g.addEventListener('unhandledrejection', listener);
  return { seen, stop: () => g.removeEventListener('unhandledrejection', listener) };
}

function describeError(error) {
  if (error instanceof Error) {
    const where = error instanceof SmokeFailure ? '' : `\n${error.stack ?? ''}`;
    return `${error.name}: ${error.message}${where}`;
  }
  return `a non-Error was thrown: ${show(error)}`;
}

/** Runs `check` with a real deadline, so that a check that never settles fails instead of hanging. */
function withDeadline(check, ms) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new SmokeFailure(`did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([Promise.resolve().then(check), deadline]).finally(() => clearTimeout(timer));
}

/**
 * Runs the smoke modules against the loaded packages.
 *
 * @param {Array<{ name: string, module?: { packages: string[], checks: Function }, loadError?: unknown }>} modules
 * @param {Record<string, object>} packages package name -> what importing (or requiring) it gave
 * @returns {Promise<Array<{ module: string, check: string, ok: boolean, error?: string, ms: number }>>}
 */
export async function runSmoke(modules, packages, { checkTimeout = 10_000 } = {}) {
  const results = [];
  const unhandled = watchUnhandledRejections();
  const now = () => (typeof performance === 'object' ? performance.now() : Date.now());

  for (const { name, module, loadError } of modules) {
    const missing = module?.packages.filter((pkg) => packages[pkg] === undefined) ?? [];
    if (loadError !== undefined || missing.length > 0) {
      const why = loadError !== undefined ? describeError(loadError) : `${missing.join(', ')} did not load`;
      results.push({ module: name, check: 'runs', ok: false, error: why, ms: 0 });
      continue;
    }
    const checks = [];
    module.checks(packages, (check, fn) => checks.push({ check, fn }));
    for (const { check, fn } of checks) {
      const started = now();
      try {
        await withDeadline(fn, checkTimeout);
        results.push({ module: name, check, ok: true, ms: now() - started });
      } catch (error) {
        results.push({ module: name, check, ok: false, error: describeError(error), ms: now() - started });
      }
    }
  }

  // Unhandled rejections are reported after the microtasks of a macrotask; give them two.
  await new Promise((resolve) => setTimeout(resolve, 0));
  await new Promise((resolve) => setTimeout(resolve, 0));
  unhandled.stop();
  results.push({
    module: 'runtime',
    check: 'no unhandled rejections',
    ok: unhandled.seen.length === 0,
    ...(unhandled.seen.length > 0 && { error: `unhandled: ${unhandled.seen.map(show).join('; ')}` }),
    ms: 0,
  });
  return results;
}

/** The line a runtime prints last, which the runner parses. */
export const RESULT_MARKER = 'CEMAF_SMOKE_RESULT ';
