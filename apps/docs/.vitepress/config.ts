import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfigWithTheme, type DefaultTheme, type Plugin, type UserConfig } from 'vitepress';
import { apiSidebar, generateApi } from './api.ts';
import { buildMarker } from './build-marker.ts';
import { existingPackages, sitePackages, type SitePackage } from './packages.ts';

/** The default theme's settings, plus the packages for the landing page's table. */
export type ThemeConfig = DefaultTheme.Config & { packages: SitePackage[] };

const docsDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pagesDir = join(docsDir, 'pages');
const packagesDir = resolve(docsDir, '../../packages');
const apiDir = join(pagesDir, 'api');

/**
 * In the dev server, `@cemaf/<name>` resolves to the package's TypeScript source, so a change to
 * a package shows at once; the static build uses each package's built `dist`, as users get it.
 */
function packageSources(): Plugin {
  return {
    name: 'cemaf-package-sources',
    apply: 'serve',
    enforce: 'pre',
    resolveId(id) {
      const match = /^@cemaf\/([a-z0-9-]+)(?:\/([a-z0-9-]+))?$/.exec(id);
      if (!match) return undefined;
      const source = join(packagesDir, match[1]!, 'src', `${match[2] ?? 'index'}.ts`);
      return existsSync(source) ? source : undefined;
    },
  };
}

function guideSidebar(): DefaultTheme.SidebarItem {
  return {
    text: 'Guide',
    items: [
      { text: 'Introduction', link: '/' },
      { text: 'Testing with ManualClock', link: '/guide/testing-with-manual-clock' },
      { text: 'Composing policies', link: '/guide/composing-policies' },
    ],
  };
}

/** A package links to its page once it has one, and to its API reference until then. */
function packagesSidebar(packages: readonly SitePackage[]): DefaultTheme.SidebarItem {
  const items = packages.flatMap((info) => {
    const link = info.page ?? info.api;
    return link ? [{ text: info.slug, link }] : [];
  });
  return { text: 'Packages', items };
}

/** Vite calls the config with how it runs: `build`, `dev` (serve, development) or `preview` (serve, production). */
export default async function config(env: { command: 'build' | 'serve'; mode: string }): Promise<UserConfig<ThemeConfig>> {
  // Building and the dev server regenerate the API reference from the packages' TSDoc, so it
  // never drifts; preview only serves what was built.
  if (env.command === 'build' || env.mode === 'development') {
    await generateApi({
      packagesDir,
      packages: existingPackages(packagesDir),
      outDir: apiDir,
      scratchDir: join(docsDir, '.vitepress', 'cache'),
    });
  }
  const packages = sitePackages(packagesDir, pagesDir);
  const firstPackage = packages[0]?.page ?? packages[0]?.api ?? '/';

  return defineConfigWithTheme<ThemeConfig>({
    title: 'cemaf',
    description: 'Resilience patterns for TypeScript: retry, circuit breaker, rate limiter, timeout, fallback.',
    lang: 'en-US',
    srcDir: 'pages',
    cleanUrls: true,
    // The end-to-end test builds into its own folder, so it never races a normal build.
    outDir: process.env.CEMAF_DOCS_OUT_DIR ?? '.vitepress/dist',
    head: [
      ['link', { rel: 'icon', type: 'image/svg+xml', href: '/favicon.svg' }],
      ['meta', { name: 'theme-color', content: '#0f766e' }],
    ],
    markdown: { lineNumbers: false },
    themeConfig: {
      logo: '/favicon.svg',
      nav: [
        { text: 'Guide', link: '/guide/testing-with-manual-clock' },
        { text: 'Packages', link: firstPackage },
        { text: 'API', link: '/api/' },
      ],
      sidebar: [
        guideSidebar(),
        packagesSidebar(packages),
        { text: 'API reference', link: '/api/', items: apiSidebar(apiDir, packages) },
      ],
      outline: { level: [2, 3] },
      search: { provider: 'local' },
      footer: { message: 'MIT licensed.' },
      // Read by the PackagesTable component on the landing page.
      packages,
    },
    vite: { plugins: [packageSources()] },
    // Marks a build that finished: the end-to-end test serves it instead of building again when
    // no input is newer (see test/site.test.ts).
    buildEnd(site) {
      writeFileSync(join(site.outDir, buildMarker), JSON.stringify({ builtAt: Date.now() }));
    },
  });
}
