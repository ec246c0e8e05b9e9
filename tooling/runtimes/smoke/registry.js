// Every smoke module and every entry it loads, written out literally: Deno then resolves them
// from node_modules when it reads this file, so the suite runs with no permission granted.
// A package that is not in the tree (yet) fails only when its loader is called.

/** Smoke module name (smoke/<name>.js) -> its loader. */
export const smokeModules = {
  core: () => import('./core.js'),
  retry: () => import('./retry.js'),
  'circuit-breaker': () => import('./circuit-breaker.js'),
  'circuit-breaker-redis': () => import('./circuit-breaker-redis.js'),
  'rate-limiter': () => import('./rate-limiter.js'),
  'rate-limiter-redis': () => import('./rate-limiter-redis.js'),
  'redis-client': () => import('./redis-client.js'),
  timeout: () => import('./timeout.js'),
  fallback: () => import('./fallback.js'),
  pipeline: () => import('./pipeline.js'),
  'pipeline-timeout': () => import('./pipeline-timeout.js'),
  all: () => import('./all.js'),
};

/** Package entry -> `import()` of it by name, resolved through its exports map. */
export const importers = {
  '@cemaf/core': () => import('@cemaf/core'),
  '@cemaf/core/internal': () => import('@cemaf/core/internal'),
  '@cemaf/retry': () => import('@cemaf/retry'),
  '@cemaf/circuit-breaker': () => import('@cemaf/circuit-breaker'),
  '@cemaf/circuit-breaker-redis': () => import('@cemaf/circuit-breaker-redis'),
  '@cemaf/rate-limiter': () => import('@cemaf/rate-limiter'),
  '@cemaf/rate-limiter-redis': () => import('@cemaf/rate-limiter-redis'),
  '@cemaf/redis-client': () => import('@cemaf/redis-client'),
  '@cemaf/timeout': () => import('@cemaf/timeout'),
  '@cemaf/fallback': () => import('@cemaf/fallback'),
  '@cemaf/all': () => import('@cemaf/all'),
};
