/**
 * Loads the cemaf packages that are built. A package that is not a dependency of the bench yet,
 * or whose dist is missing, is reported as missing and its rows are skipped.
 */
export const CEMAF_PACKAGES = {
  core: '@cemaf/core',
  retry: '@cemaf/retry',
  breaker: '@cemaf/circuit-breaker',
  limiter: '@cemaf/rate-limiter',
  timeout: '@cemaf/timeout',
  fallback: '@cemaf/fallback',
};

async function load(specifier) {
  try {
    return await import(specifier);
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND' || error?.code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') return null;
    throw error;
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
