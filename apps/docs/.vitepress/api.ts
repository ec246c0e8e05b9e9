import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { Application, LogLevel, type TypeDocOptions } from 'typedoc';
import type { PluginOptions as MarkdownOptions } from 'typedoc-plugin-markdown';
import type { DefaultTheme } from 'vitepress';
import type { PackageInfo } from './packages.ts';

/** Kinds of API page TypeDoc writes, in the order the sidebar lists them. */
const groups = [
  ['classes', 'Classes'],
  ['functions', 'Functions'],
  ['interfaces', 'Interfaces'],
  ['type-aliases', 'Types'],
  ['variables', 'Constants'],
  ['enumerations', 'Enumerations'],
] as const;

/** The options of typedoc-vitepress-theme, which does not export their type. */
interface VitePressThemeOptions {
  docsRoot?: string;
  sidebar?: { autoConfiguration: boolean };
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => statSync(join(dir, name)).isFile())
    .sort();
}

/** Placeholder of a link to another package's page, `cemaf-api:<slug>/<name>`; see `linkAcross`. */
const crossLink = 'cemaf-api:';

/**
 * Turns the placeholders of links to other packages' pages into links to the page written for
 * that name, or into plain text where the other package has no such page.
 */
function linkAcross(markdown: string, pagesBySlugAndName: ReadonlyMap<string, string>): string {
  return markdown.replace(/\[([^\]]*)\]\(cemaf-api:([a-z0-9-]+)\/([^)]+)\)/g, (_match, text: string, slug: string, name: string) => {
    const page = pagesBySlugAndName.get(`${slug}/${name}`);
    return page ? `[${text}](${page})` : text;
  });
}

/** Frontmatter of every generated page: `api-page` lets the theme's CSS give tables more room. */
const frontmatter = '---\npageClass: api-page\n---\n\n';

/**
 * Makes `target` hold exactly the files of `source`, writing only those that changed, so a dev
 * server watching `target` reloads only what is new.
 */
function sync(source: string, target: string): void {
  const wanted = new Set(filesUnder(source));
  const pagesBySlugAndName = new Map<string, string>();
  for (const file of wanted) {
    const [slug, kind, name] = file.split('/');
    if (name?.endsWith('.md')) pagesBySlugAndName.set(`${slug}/${name.slice(0, -3)}`, `/api/${slug}/${kind}/${name.slice(0, -3)}`);
  }
  for (const file of filesUnder(target)) {
    if (!wanted.has(file)) rmSync(join(target, file));
  }
  for (const file of wanted) {
    const text = readFileSync(join(source, file), 'utf8');
    const contents = Buffer.from(file.endsWith('.md') ? frontmatter + linkAcross(text, pagesBySlugAndName) : text);
    const destination = join(target, file);
    if (existsSync(destination) && readFileSync(destination).equals(contents)) continue;
    mkdirSync(dirname(destination), { recursive: true });
    writeFileSync(destination, contents);
  }
}

function indexPage(packages: readonly PackageInfo[]): string {
  const rows = packages.map((info) => `| [\`${info.name}\`](./${info.slug}/) | ${info.summary} |`);
  return [
    '# API reference',
    '',
    'Generated from the TSDoc comments of each package’s source at every build of this site, so it',
    'always says what the code does. Durations are milliseconds everywhere.',
    '',
    '| package | what it gives you |',
    '| --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

/**
 * Writes the API reference of `packages` (each `<packagesDir>/<slug>/src/index.ts`) as Markdown
 * into `outDir`, one folder per package: `<outDir>/<slug>/index.md`, `classes/`, `functions/`...
 */
export async function generateApi(options: {
  packagesDir: string;
  packages: readonly PackageInfo[];
  outDir: string;
  scratchDir: string;
}): Promise<void> {
  const { packagesDir, packages, outDir, scratchDir } = options;
  const scratch = join(scratchDir, `api-${process.pid}`);
  rmSync(scratch, { recursive: true, force: true });
  try {
    if (packages.length > 0) {
      // One package is written flat by TypeDoc, several each in their own folder: write a
      // single one into its folder so that its pages keep the same address when others arrive.
      const single = packages.length === 1 ? packages[0] : undefined;
      const typedocOptions: Partial<TypeDocOptions & MarkdownOptions> & VitePressThemeOptions = {
        plugin: ['typedoc-plugin-markdown', 'typedoc-vitepress-theme'],
        entryPointStrategy: 'packages',
        entryPoints: packages.map((info) => join(packagesDir, info.slug)),
        packageOptions: {
          entryPoints: ['src/index.ts'],
          readme: 'none',
          disableSources: true,
          excludeInternal: true,
          // What a package re-exports from another (retry's `ManualClock`, from core) is read from
          // that package's built types: it is documented once, with the package that owns it.
          excludeExternals: true,
          externalPattern: ['**/node_modules/**', '**/dist/**'],
          // A package's own typecheck reports its errors; the docs document what is there.
          skipErrorChecking: true,
          // Internal helper types that a signature mentions need no page of their own.
          validation: { notExported: false, invalidLink: true, rewrittenLink: true },
        },
        out: single ? join(scratch, single.slug) : scratch,
        docsRoot: scratch,
        sidebar: { autoConfiguration: false },
        readme: 'none',
        excludeScopesInPaths: true,
        hidePageHeader: true,
        hideBreadcrumbs: true,
        useCodeBlocks: true,
        expandObjects: true,
        parametersFormat: 'table',
        interfacePropertiesFormat: 'table',
        classPropertiesFormat: 'table',
        typeDeclarationFormat: 'table',
        propertyMembersFormat: 'table',
        tableColumnSettings: { hideSources: true, hideModifiers: true, leftAlignHeaders: true },
        logLevel: LogLevel.Warn,
      };
      const app = await Application.bootstrapWithPlugins(typedocOptions);
      // A type one package takes from another (retry's `clock?: Clock`, from core) links to the
      // page of the package that owns it; which folder that page is in is known once written.
      app.converter.addUnknownSymbolResolver((reference) => {
        const owner = /^@cemaf\/([a-z0-9-]+)$/.exec(reference.moduleSource ?? '')?.[1];
        const name = reference.symbolReference?.path?.[0]?.path;
        return owner && name ? `${crossLink}${owner}/${name}` : undefined;
      });
      const project = await app.convert();
      if (!project) throw new Error('TypeDoc could not read the packages; see the messages above.');
      await app.generateOutputs(project);
    }
    writeFileSync(join(scratch, 'index.md'), indexPage(packages));
    mkdirSync(outDir, { recursive: true });
    sync(scratch, outDir);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function title(file: string): string {
  return file.replace(/\.md$/, '');
}

/** The sidebar of the API reference in `apiDir`, one collapsed group per package. */
export function apiSidebar(apiDir: string, packages: readonly PackageInfo[]): DefaultTheme.SidebarItem[] {
  return packages
    .filter((info) => existsSync(join(apiDir, info.slug, 'index.md')))
    .map((info) => {
      const packageDir = join(apiDir, info.slug);
      const items = groups.flatMap(([folder, text]) => {
        const pages = filesUnder(join(packageDir, folder)).filter((file) => file.endsWith('.md'));
        if (pages.length === 0) return [];
        const link = (file: string) => `/${relative(dirname(apiDir), join(packageDir, folder, title(file)))}`;
        return [{ text, collapsed: false, items: pages.map((file) => ({ text: title(file), link: link(file) })) }];
      });
      return { text: info.name, link: `/api/${info.slug}/`, collapsed: true, items };
    });
}
