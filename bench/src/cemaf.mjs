/**
 * Loads the cemaf packages that are built. A package that is not a dependency of the bench yet,
 * or whose dist is missing, is reported as missing and its rows are skipped.
 */
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const CEMAF_PACKAGES = {
  core: '@cemaf/core',
  retry: '@cemaf/retry',
  breaker: '@cemaf/circuit-breaker',
  limiter: '@cemaf/rate-limiter',
  timeout: '@cemaf/timeout',
  fallback: '@cemaf/fallback',
};

const notFound = (error) => error?.code === 'ERR_MODULE_NOT_FOUND' || error?.code === 'ERR_PACKAGE_PATH_NOT_EXPORTED';

/** Whether the package is linked into the bench (its dist may still be missing). */
function linked(specifier) {
  return existsSync(fileURLToPath(new URL(`../node_modules/${specifier}/package.json`, import.meta.url)));
}

async function load(specifier) {
  // A linked package whose dist is missing may be in the middle of a rebuild (its build empties
  // dist first): give it half a minute before counting it as not built.
  const attempts = linked(specifier) ? 15 : 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return await import(specifier);
    } catch (error) {
      if (!notFound(error)) throw error;
      if (attempt >= attempts) return null;
      await sleep(2_000);
    }
  }
}

let loaded;

/** `{ core, retry, breaker, limiter, timeout, fallback }`, each the module or null. */
export async function loadCemaf() {
  if (!loaded) {
    const entries = await Promise.all(Object.entries(CEMAF_PACKAGES).map(async ([name, specifier]) => [name, await load(specifier)]));
    loaded = Object.fromEntries(entries);
  }
  return loaded;
}

/** The names of packages that are not built or not linked, for the report. */
export async function missingCemaf() {
  const cemaf = await loadCemaf();
  return Object.entries(CEMAF_PACKAGES)
    .filter(([name]) => cemaf[name] === null)
    .map(([, specifier]) => specifier);
}
