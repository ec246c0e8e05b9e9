import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A published package as the site presents it. */
export interface PackageInfo {
  /** The npm name, `@cemaf/retry`. */
  readonly name: string;
  /** The folder under `packages/`, and the slug of its page: `retry`. */
  readonly slug: string;
  /** One line on what it gives the user. */
  readonly summary: string;
}

/** A package together with what exists of it now. */
export interface SitePackage extends PackageInfo {
  /** Whether `packages/<slug>/src/index.ts` exists. */
  readonly exists: boolean;
  /** Its docs page, `/packages/<slug>`, once `pages/packages/<slug>.md` exists. */
  readonly page: string | undefined;
  /** Its API reference, `/api/<slug>/`, once it has been generated. */
  readonly api: string | undefined;
}

/**
 * Every package the site has a place for, in reading order. A package appears on the site only
 * once it exists (`packages/<slug>/src/index.ts`), so no link ever points at a page that is not
 * there; packages not listed here are picked up too, after these, from their package.json.
 */
export const plannedPackages: readonly PackageInfo[] = [
  {
    name: '@cemaf/core',
    slug: 'core',
    summary: '`Clock`, `systemClock`, `ManualClock`, the error classes, the `Policy` contract and `pipeline()`',
  },
  { name: '@cemaf/retry', slug: 'retry', summary: '`RetryPolicy`, backoff functions, `RetryBudget`' },
  { name: '@cemaf/circuit-breaker', slug: 'circuit-breaker', summary: '`CircuitBreaker`: stop calling a dependency that is down' },
  {
    name: '@cemaf/rate-limiter',
    slug: 'rate-limiter',
    summary: '`RateLimiter`: sliding window, token bucket or fixed window, in memory, optionally keyed',
  },
  { name: '@cemaf/timeout', slug: 'timeout', summary: '`TimeoutPolicy`: a deadline per call, through the call’s signal' },
  { name: '@cemaf/fallback', slug: 'fallback', summary: '`FallbackPolicy`: a value or function when the call fails' },
  { name: '@cemaf/all', slug: 'all', summary: 'every policy above from one import, tree-shaken, plus method decorators' },
  {
    name: '@cemaf/rate-limiter-redis',
    slug: 'rate-limiter-redis',
    summary: '`RedisRateLimiter`: one limit shared by many processes and machines',
  },
  {
    name: '@cemaf/circuit-breaker-redis',
    slug: 'circuit-breaker-redis',
    summary: '`RedisCircuitBreaker`: one circuit shared by many processes and machines',
  },
  {
    name: '@cemaf/redis-client',
    slug: 'redis-client',
    summary: 'the Redis plumbing of the Redis packages: one adapter for `ioredis` and node-redis, Lua scripts by `EVALSHA`',
  },
];

interface PackageJson {
  name?: string;
  description?: string;
  private?: boolean;
}

function readPackageJson(dir: string): PackageJson | undefined {
  const file = join(dir, 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as PackageJson) : undefined;
}

/**
 * The published packages that exist in `packagesDir`: a folder with a package.json that is not
 * private and a `src/index.ts`. Planned ones come first, in their order.
 */
export function existingPackages(packagesDir: string): PackageInfo[] {
  const found = new Map<string, PackageInfo>();
  const slugs = existsSync(packagesDir) ? readdirSync(packagesDir).sort() : [];
  for (const slug of slugs) {
    const dir = join(packagesDir, slug);
    const manifest = readPackageJson(dir);
    if (!manifest?.name || manifest.private || !existsSync(join(dir, 'src', 'index.ts'))) continue;
    const planned = plannedPackages.find((info) => info.slug === slug);
    found.set(slug, planned ?? { name: manifest.name, slug, summary: manifest.description ?? '' });
  }
  const order = (info: PackageInfo) => {
    const index = plannedPackages.findIndex((planned) => planned.slug === info.slug);
    return index === -1 ? plannedPackages.length : index;
  };
  return [...found.values()].sort((a, b) => order(a) - order(b) || a.slug.localeCompare(b.slug));
}

/**
 * Every planned package and every other existing one, with the links the site has for each:
 * none for a package that does not exist yet.
 */
export function sitePackages(packagesDir: string, pagesDir: string): SitePackage[] {
  const existing = existingPackages(packagesDir);
  const extra = existing.filter((info) => !plannedPackages.some((planned) => planned.slug === info.slug));
  return [...plannedPackages, ...extra].map((info) => {
    const exists = existing.some((found) => found.slug === info.slug);
    const has = (...path: string[]) => exists && existsSync(join(pagesDir, ...path));
    return {
      ...info,
      exists,
      page: has('packages', `${info.slug}.md`) ? `/packages/${info.slug}` : undefined,
      api: has('api', info.slug, 'index.md') ? `/api/${info.slug}/` : undefined,
    };
  });
}
