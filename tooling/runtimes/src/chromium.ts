import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CHROMIUM_FLAGS } from '@cemaf/test-utils';
import { build } from 'esbuild';
import { statusOf, type CheckResult, type RuntimeRun } from './results.js';

const RUN_TIMEOUT_MS = 120_000;

/** An entry that imports the smoke modules and the package entries they load, for esbuild. */
function browserEntry(modules: readonly { name: string; entries: readonly string[] }[]): string {
  const entries = [...new Set(modules.flatMap((module) => module.entries))];
  const lines = [`import { runSmoke } from './harness.js';`];
  modules.forEach((module, index) => lines.push(`import module${index} from './${module.name}.js';`));
  entries.forEach((entry, index) => lines.push(`import * as package${index} from '${entry}';`));
  lines.push(
    `const modules = [${modules
      .map((module, index) => `{ name: '${module.name}', module: module${index} }`)
      .join(', ')}];`,
    `const packages = { ${entries.map((entry, index) => `'${entry}': package${index}`).join(', ')} };`,
    `const loads = ${JSON.stringify(
      entries.map((entry) => ({
        module: modules.find((module) => module.entries.includes(entry))?.name,
        check: `import '${entry}' (bundled)`,
        ok: true,
        ms: 0,
      })),
    )};`,
    `globalThis.cemafSmoke = runSmoke(modules, packages).then((results) => [...loads, ...results]);`,
  );
  return lines.join('\n');
}

function serve(routes: Record<string, { type: string; body: string }>): Promise<Server> {
  const server = createServer((request, response) => {
    const route = routes[request.url ?? ''];
    response.writeHead(route ? 200 : 404, { 'content-type': route?.type ?? 'text/plain' });
    response.end(route?.body ?? 'not found');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Bundles the suite for the browser, serves it from 127.0.0.1 and runs it in a headless page. */
export async function runChromium(
  label: string,
  executablePath: string,
  runtimesDir: string,
  modules: readonly { name: string; entries: readonly string[] }[],
): Promise<RuntimeRun> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const fail = (check: string, error: unknown): RuntimeRun => ({
    label,
    version: 'chromium',
    status: 'failed',
    results: [
      {
        module: 'runtime',
        check,
        ok: false,
        error: String(error instanceof Error ? error.stack ?? error : error),
        ms: 0,
      },
    ],
    seconds: seconds(),
  });

  let bundle: string;
  try {
    const output = await build({
      stdin: {
        contents: browserEntry(modules),
        resolveDir: join(runtimesDir, 'smoke'),
        sourcefile: 'browser-entry.js',
        loader: 'js',
      },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    bundle = output.outputFiles[0]!.text;
  } catch (error) {
    return fail('bundles for the browser (esbuild --platform=browser)', error);
  }

  const server = await serve({
    '/': {
      type: 'text/html',
      body: '<!doctype html><title>cemaf smoke</title><script type="module" src="/smoke.js"></script>',
    },
    '/smoke.js': { type: 'text/javascript', body: bundle },
  });
  const { chromium } = await import('playwright-core');
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  try {
    browser = await chromium.launch({ executablePath, args: [...CHROMIUM_FLAGS], timeout: 60_000 });
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(String(error.stack ?? error)));
    const { port } = server.address() as AddressInfo;
    await page.goto(`http://127.0.0.1:${port}/`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const results = await Promise.race([
      page.evaluate(() => (globalThis as unknown as { cemafSmoke: Promise<CheckResult[]> }).cemafSmoke),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no results after ${RUN_TIMEOUT_MS / 1000} s`)), RUN_TIMEOUT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    const all: CheckResult[] = [
      ...results,
      {
        module: 'runtime',
        check: 'no uncaught page errors',
        ok: pageErrors.length === 0,
        ...(pageErrors.length > 0 && { error: pageErrors.join('\n') }),
        ms: 0,
      },
    ];
    return { label, version: `chromium ${browser.version()}`, status: statusOf(all), results: all, seconds: seconds() };
  } catch (error) {
    return fail('runs the bundle in a page', error);
  } finally {
    await browser?.close();
    server.close();
  }
}
