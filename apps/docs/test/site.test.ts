// End to end: builds the site, serves it with `vitepress preview` on a free port and drives it in
// headless Chromium. Every page must load without a console error or a failed request, and every
// demo must react to its controls; a screenshot of each demo goes to .artifacts/.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { systemProgram } from '@cemaf/test-utils';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const docsDir = join(import.meta.dirname, '..');
const vitepress = join(docsDir, 'node_modules', 'vitepress', 'bin', 'vitepress.js');
const artifacts = join(docsDir, '.artifacts');
// Its own output folder, so the test never serves a half-written normal build.
const env = { ...process.env, CEMAF_DOCS_OUT_DIR: '.vitepress/e2e-dist' };

const browserProgram = systemProgram(process.env.CHROMIUM_PATH ?? 'chromium', 'chromium');
const executablePath =
  process.env.CHROMIUM_PATH ?? spawnSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).stdout.trim();
// TOOLCHAIN.md's flags for Debian's chromium; the resolver rule keeps it off the network.
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Runs a command to its end; rejects with its output when it fails. */
function run(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: docsDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(' ')} exited with ${code}:\n${output}`))));
  });
}

async function waitForServer(url: string, child: ChildProcess): Promise<void> {
  for (let tries = 0; tries < 600; tries++) {
    if (child.exitCode !== null) throw new Error(`vitepress preview exited with ${child.exitCode}`);
    const ok = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer within 60 s`);
}

/** Everything a page reports that a reader should never see. */
function watchForProblems(page: Page): string[] {
  const problems: string[] = [];
  const where = () => new URL(page.url()).pathname;
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`${where()}: console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`${where()}: uncaught: ${error.message}`));
  page.on('requestfailed', (request) => {
    // Leaving a page cancels the prefetches of the pages it links to; a missing file is a 404.
    const reason = request.failure()?.errorText;
    if (reason !== 'net::ERR_ABORTED') problems.push(`${where()}: request failed: ${request.url()} (${reason})`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${where()}: ${response.status()} for ${response.url()}`);
  });
  return problems;
}

/** Waits until every demo on the page has finished its latest run. */
async function demosSettled(page: Page): Promise<void> {
  await page.waitForFunction(() =>
    Array.from(document.querySelectorAll<HTMLElement>('[data-demo]')).every((demo) => {
      const status = demo.dataset.demoStatus;
      return status === 'ready' || status === 'error';
    }),
  );
}

/** Moves a demo's slider and waits for the run it starts; returns what the demo then shows. */
async function slide(demo: Locator, control: string, value: number): Promise<string> {
  const slider = demo.locator(`[data-control="${control}"]`);
  const state = async () => (await demo.getAttribute('data-demo-state')) ?? '';
  if ((await slider.inputValue()) === String(value)) return state();
  const runs = Number(await demo.getAttribute('data-demo-runs'));
  await slider.fill(String(value));
  await expect
    .poll(async () => Number(await demo.getAttribute('data-demo-runs')) > runs && (await demo.getAttribute('data-demo-status')), {
      timeout: 20_000,
    })
    .toBe('ready');
  return state();
}

describe.skipIf(!browserProgram.available)('the docs site in Chromium', () => {
  let preview: ChildProcess | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let origin: string;
  /** Every page reachable by links from the home page, and the demos each one has. */
  const pages = new Map<string, string[]>();

  beforeAll(async () => {
    await run([vitepress, 'build']);
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    preview = spawn(process.execPath, [vitepress, 'preview', '--port', String(port)], { cwd: docsDir, env, stdio: 'ignore' });
    await waitForServer(`${origin}/`, preview);

    // Crawl the built HTML: every internal link, and the demos each page renders.
    const queue = ['/'];
    while (queue.length > 0) {
      const path = queue.shift()!;
      const response = await fetch(origin + path);
      expect(response.status, path).toBe(200);
      const html = await response.text();
      pages.set(path, [...html.matchAll(/data-demo="([^"]+)"/g)].map((match) => match[1]!));
      for (const [, href] of html.matchAll(/<a [^>]*href="(\/[^"#]*)/g)) {
        const target = new URL(href!, origin).pathname;
        if (!pages.has(target) && !queue.includes(target)) queue.push(target);
      }
    }

    mkdirSync(artifacts, { recursive: true });
    browser = await chromium.launch({ executablePath, args: chromiumArgs });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    preview?.kill();
  });

  it('links every page: the guides, the packages that exist and their API reference', () => {
    const paths = [...pages.keys()];
    expect(paths).toEqual(
      expect.arrayContaining([
        '/',
        '/guide/testing-with-manual-clock',
        '/guide/composing-policies',
        '/packages/core',
        '/api/',
        '/api/core/',
        '/api/core/classes/ManualClock',
        '/api/core/functions/pipeline',
      ]),
    );
    expect(pages.get('/packages/core')).toEqual(['core-pipeline']);
  });

  it('loads every page without a console error or a failed request', async () => {
    const queue = [...pages.keys()];
    const problems: string[] = [];
    // A few tabs at once: most of a page load is waiting, not work.
    const tab = async () => {
      const page = await context.newPage();
      const seen = watchForProblems(page);
      for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
        const response = await page.goto(origin + path, { waitUntil: 'load' });
        expect(response?.status(), path).toBe(200);
        await demosSettled(page);
      }
      await page.close();
      problems.push(...seen);
    };
    await Promise.all([tab(), tab(), tab()]);
    expect(problems).toEqual([]);
  }, 300_000);

  it('runs every demo, which reacts to the failure-rate slider; each is screenshotted', async () => {
    const page = await context.newPage();
    const problems = watchForProblems(page);
    const demos = [...pages].flatMap(([path, names]) => names.map((name) => ({ path, name })));
    expect(demos.length).toBeGreaterThan(0);
    for (const { path, name } of demos) {
      await page.goto(origin + path);
      const demo = page.locator(`[data-demo="${name}"]`);
      await demosSettled(page);
      const calm = await slide(demo, 'failure-rate', 0);
      const stormy = await slide(demo, 'failure-rate', 100);
      expect(stormy, `${name} shows the same with 0% and 100% failures`).not.toBe(calm);
      await slide(demo, 'failure-rate', 30);
      await demo.scrollIntoViewIfNeeded();
      await demo.screenshot({ path: join(artifacts, `${name}.png`) });
    }
    await page.close();
    expect(problems).toEqual([]);
  }, 300_000);

  it('core demo: the sliders change the outcome of every call and the virtual time', async () => {
    const page = await context.newPage();
    const problems = watchForProblems(page);
    await page.goto(`${origin}/packages/core`);
    const demo = page.locator('[data-demo="core-pipeline"]');
    await demosSettled(page);
    const count = (selector: string) => demo.locator(selector).count();
    const text = async (testId: string) => (await demo.getByTestId(testId).textContent())?.trim();

    await slide(demo, 'failure-rate', 0);
    expect(await text('first-try')).toBe('12');
    expect(await text('failed')).toBe('0');
    expect(await count('rect[data-kind="ok"]')).toBe(12);
    expect(await count('[data-kind="failed"], [data-kind="wait"]')).toBe(0);

    await slide(demo, 'failure-rate', 100);
    expect(await text('first-try')).toBe('0');
    expect(await text('failed')).toBe('12');
    expect(await text('service-calls')).toBe('24');
    expect(await count('rect[data-kind="failed"]')).toBe(24);
    expect(await count('line[data-kind="wait"]')).toBe(12);
    expect(await count('rect[data-kind="ok"]')).toBe(0);

    // "New draw" runs again with other luck: at 50% some calls fail, but not the same ones.
    await slide(demo, 'failure-rate', 50);
    const runs = Number(await demo.getAttribute('data-demo-runs'));
    const kindsBefore = await demo.locator('rect[data-kind]').evaluateAll((spans) => spans.map((span) => span.getAttribute('data-kind')).join());
    await demo.locator('[data-control="reseed"]').click();
    await expect.poll(async () => Number(await demo.getAttribute('data-demo-runs'))).toBeGreaterThan(runs);
    await expect.poll(() => demo.getAttribute('data-demo-status')).toBe('ready');
    const kindsAfter = await demo.locator('rect[data-kind]').evaluateAll((spans) => spans.map((span) => span.getAttribute('data-kind')).join());
    expect(kindsAfter).not.toBe(kindsBefore);

    await slide(demo, 'failure-rate', 0);
    const fast = Number(/in (\d+(?:\.\d+)?) ms$/.exec((await slide(demo, 'latency', 50)) ?? '')?.[1]);
    const slow = Number(/in (\d+(?:\.\d+)?) ms$/.exec((await slide(demo, 'latency', 1000)) ?? '')?.[1]);
    expect(fast).toBeGreaterThan(0);
    expect(slow - fast).toBeGreaterThan(500);

    await page.close();
    expect(problems).toEqual([]);
  }, 120_000);
});
