// End to end: serves the built site with `vitepress preview` on a free port and drives it in
// headless Chromium. Every page must load without a console error or a failed request, and every
// demo must react to its controls; a screenshot of each demo goes to .artifacts/.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { RateLimitAlgorithm } from '@cemaf/rate-limiter';
import { CHROMIUM_FLAGS, findChromium } from '@cemaf/test-utils';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFreshBuild } from '../.vitepress/build-marker.ts';
import { existingPackages } from '../.vitepress/packages.ts';
import { mostInOneWindow } from '../.vitepress/theme/demo/limit-rules.ts';

const docsDir = join(import.meta.dirname, '..');
const vitepress = join(docsDir, 'node_modules', 'vitepress', 'bin', 'vitepress.js');
const artifacts = join(docsDir, '.artifacts');

const browserFound = findChromium();

/** The demos each package's page must show; a package not listed has none (the Redis ones). */
const demosOf: Record<string, string[]> = {
  core: ['core-pipeline'],
  retry: ['retry-backoff'],
  'circuit-breaker': ['circuit-breaker'],
  'rate-limiter': ['rate-limiter'],
  timeout: ['timeout'],
  fallback: ['fallback'],
};

/** Every package that exists must have a page, with its demos. */
const packagePages: Record<string, string[]> = Object.fromEntries(
  existingPackages(join(docsDir, '..', '..', 'packages')).map(({ slug }) => [`/packages/${slug}`, demosOf[slug] ?? []]),
);

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
function run(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
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
  for (let tries = 0; tries < 1_200; tries++) {
    if (child.exitCode !== null) throw new Error(`vitepress preview exited with ${child.exitCode}`);
    const ok = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer within 120 s`);
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

/** Waits until the page's demos are mounted and have each finished their latest run. */
async function demosSettled(page: Page, expected: number): Promise<void> {
  await page.waitForFunction(
    (count) => {
      const demos = Array.from(document.querySelectorAll<HTMLElement>('[data-demo]'));
      return demos.length >= count && demos.every((demo) => demo.dataset.demoStatus === 'ready' || demo.dataset.demoStatus === 'error');
    },
    expected,
    { timeout: 60_000 },
  );
}

/** The text of an HTML attribute or title, with its entities decoded. */
const decodeEntities = (html: string) =>
  html.replace(/&(lt|gt|amp|quot|#39);/g, (_match, name: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', '#39': "'" })[name]!);

const state = async (demo: Locator) => (await demo.getAttribute('data-demo-state')) ?? '';

/** Waits for the run that a change of a control started, then returns what the demo shows. */
async function afterChange(demo: Locator, change: () => Promise<void>): Promise<string> {
  const runs = Number(await demo.getAttribute('data-demo-runs'));
  await change();
  await expect
    .poll(async () => Number(await demo.getAttribute('data-demo-runs')) > runs && (await demo.getAttribute('data-demo-status')), {
      timeout: 30_000,
    })
    .toBe('ready');
  return state(demo);
}

/** Moves a demo's slider and waits for the run it starts; returns what the demo then shows. */
async function slide(demo: Locator, control: string, value: number): Promise<string> {
  const slider = demo.locator(`[data-control="${control}"]`);
  if ((await slider.inputValue()) === String(value)) return state(demo);
  return afterChange(demo, () => slider.fill(String(value)));
}

async function openPage(context: BrowserContext, path: string): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems = watchForProblems(page);
  await page.goto(origin + path);
  await demosSettled(page, packagePages[path]?.length ?? 0);
  return { page, problems };
}

const text = async (demo: Locator, testId: string) => ((await demo.getByTestId(testId).first().textContent()) ?? '').trim();
const count = (demo: Locator, selector: string) => demo.locator(selector).count();
/** The start times of the spans of a kind, as the chart rendered them (`data-start`). */
const startsOf = (demo: Locator, selector: string) =>
  demo.locator(selector).evaluateAll((spans) => spans.map((span) => Number(span.getAttribute('data-start'))));

let origin = '';

describe.skipIf('skip' in browserFound)('the docs site in Chromium', () => {
  let preview: ChildProcess | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  /** Every page reachable by links from the home page, and the demos each one has. */
  const pages = new Map<string, string[]>();
  /** Each page's `<title>`, as served. */
  const titles = new Map<string, string>();

  beforeAll(async () => {
    // Under turbo, `build` has just run (this package's turbo.json): serve that build. Run alone
    // after a change, build into a folder of its own, so that it never serves a half-written
    // normal build.
    const built = isFreshBuild(docsDir, join(docsDir, '.vitepress', 'dist'));
    const env = built ? { ...process.env } : { ...process.env, CEMAF_DOCS_OUT_DIR: '.vitepress/e2e-dist' };
    if (!built) await run([vitepress, 'build'], env);
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
      titles.set(path, decodeEntities(/<title>([^<]*)<\/title>/.exec(html)?.[1] ?? ''));
      for (const [, href] of html.matchAll(/<a [^>]*href="(\/[^"#]*)/g)) {
        const target = new URL(href!, origin).pathname;
        if (!pages.has(target) && !queue.includes(target)) queue.push(target);
      }
    }

    mkdirSync(artifacts, { recursive: true });
    if ('skip' in browserFound) throw new Error(browserFound.skip);
    browser = await chromium.launch({ executablePath: browserFound.path, args: [...CHROMIUM_FLAGS] });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    preview?.kill();
  });

  it('links every page: the guides, every package and its API reference', () => {
    const paths = [...pages.keys()];
    const packages = Object.keys(packagePages);
    expect(packages).toEqual(expect.arrayContaining(['/packages/retry', '/packages/circuit-breaker-redis', '/packages/redis-client']));
    expect(paths).toEqual(
      expect.arrayContaining([
        '/',
        '/guide/testing-with-manual-clock',
        '/guide/composing-policies',
        ...packages,
        '/api/',
        ...packages.map((path) => path.replace('/packages/', '/api/') + '/'),
        '/api/core/classes/ManualClock',
        '/api/retry/classes/RetryPolicy',
        '/api/all/functions/withRetry',
        '/api/circuit-breaker-redis/classes/RedisCircuitBreaker',
        '/api/redis-client/functions/toRedisAdapter',
      ]),
    );
    for (const [path, demos] of Object.entries(packagePages)) expect(pages.get(path), path).toEqual(demos);
  });

  it('loads every page without a console error or a failed request', async () => {
    // Pages a reader lands on are loaded afresh, in a few tabs at once (most of a load is
    // waiting): the guides, the packages, and each package's API index. The ~100 pages of the
    // API reference below those, generated alike, are reached as readers reach them, through the
    // site's own client-side navigation: the same rendering, without reloading the whole app.
    const isLeaf = (path: string) => /^\/api\/[^/]+\/[^/]+\/./.test(path);
    const direct = [...pages.keys()].filter((path) => !isLeaf(path));
    const navigated = [...pages.keys()].filter(isLeaf);
    expect(navigated.length).toBeGreaterThan(50);
    const problems: string[] = [];
    const tab = async () => {
      const page = await context.newPage();
      const seen = watchForProblems(page);
      for (let path = direct.shift(); path !== undefined; path = direct.shift()) {
        const response = await page.goto(origin + path, { waitUntil: 'load' });
        expect(response?.status(), path).toBe(200);
        await demosSettled(page, pages.get(path)?.length ?? 0);
      }
      await page.close();
      problems.push(...seen);
    };
    const navigate = async () => {
      const page = await context.newPage();
      const seen = watchForProblems(page);
      await page.goto(`${origin}/api/`, { waitUntil: 'load' });
      for (const path of navigated) {
        // A click on a link of the site's own: VitePress loads the page's chunk and renders it.
        await page.evaluate((target) => {
          const link = Object.assign(document.createElement('a'), { href: target });
          document.body.append(link);
          link.click();
          link.remove();
        }, path);
        await page.waitForFunction(
          ([target, title]) => location.pathname === target && document.title === title,
          [path, titles.get(path)!] as const,
          { timeout: 30_000 },
        );
      }
      await page.close();
      problems.push(...seen);
    };
    await Promise.all([tab(), tab(), navigate()]);
    expect(problems).toEqual([]);
  }, 600_000);

  it('runs every demo, which reacts to the failure-rate slider; each is screenshotted', async () => {
    const page = await context.newPage();
    const problems = watchForProblems(page);
    const demos = [...pages].flatMap(([path, names]) => names.map((name) => ({ path, name })));
    expect(demos.map(({ name }) => name).sort()).toEqual(Object.values(packagePages).flat().sort());
    for (const { path, name } of demos) {
      await page.goto(origin + path);
      await demosSettled(page, pages.get(path)!.length);
      const demo = page.locator(`[data-demo="${name}"]`);
      const live = (await demo.getAttribute('data-demo-live')) === 'true';
      const calm = await slide(demo, 'failure-rate', 0);
      if (live) {
        // A live demo changes by itself as calls pass: wait for what the failures do.
        await demo.locator('[data-control="failure-rate"]').fill('100');
        await expect.poll(() => state(demo), { timeout: 30_000 }).not.toBe(calm);
      } else {
        const stormy = await slide(demo, 'failure-rate', 100);
        expect(stormy, `${name} shows the same with 0% and 100% failures`).not.toBe(calm);
        await slide(demo, 'failure-rate', 50);
      }
      // The sticky navigation bar would cover the top of the demo in the screenshot.
      await page.addStyleTag({ content: '.VPNav, .VPLocalNav { visibility: hidden !important; }' });
      await demo.scrollIntoViewIfNeeded();
      await demo.screenshot({ path: join(artifacts, `${name}.png`) });
    }
    await page.close();
    expect(problems).toEqual([]);
  }, 300_000);

  it('core demo: the sliders change the outcome of every call and the virtual time', async () => {
    const { page, problems } = await openPage(context, '/packages/core');
    const demo = page.locator('[data-demo="core-pipeline"]');

    await slide(demo, 'failure-rate', 0);
    expect(await text(demo, 'first-try')).toBe('12');
    expect(await text(demo, 'failed')).toBe('0');
    expect(await count(demo, 'rect[data-kind="ok"]')).toBe(12);
    expect(await count(demo, '[data-kind="failed"], [data-kind="wait"]')).toBe(0);

    await slide(demo, 'failure-rate', 100);
    expect(await text(demo, 'first-try')).toBe('0');
    expect(await text(demo, 'failed')).toBe('12');
    expect(await text(demo, 'service-calls')).toBe('24');
    expect(await count(demo, 'rect[data-kind="failed"]')).toBe(24);
    expect(await count(demo, 'line[data-kind="wait"]')).toBe(12);
    expect(await count(demo, 'rect[data-kind="ok"]')).toBe(0);

    // "New draw" runs again with other luck: at 50% some calls fail, but not the same ones.
    await slide(demo, 'failure-rate', 50);
    const kinds = () => demo.locator('rect[data-kind]').evaluateAll((spans) => spans.map((span) => span.getAttribute('data-kind')).join());
    const kindsBefore = await kinds();
    await afterChange(demo, () => demo.locator('[data-control="reseed"]').click());
    expect(await kinds()).not.toBe(kindsBefore);

    await slide(demo, 'failure-rate', 0);
    const fast = Number(/in (\d+(?:\.\d+)?) ms$/.exec(await slide(demo, 'latency', 50))?.[1]);
    const slow = Number(/in (\d+(?:\.\d+)?) ms$/.exec(await slide(demo, 'latency', 1000))?.[1]);
    expect(fast).toBeGreaterThan(0);
    expect(slow - fast).toBeGreaterThan(500);

    await page.close();
    expect(problems).toEqual([]);
  }, 120_000);

  it('retry demo: the chart shows more attempts as the failure rate rises, and every backoff wait', async () => {
    const { page, problems } = await openPage(context, '/packages/retry');
    const demo = page.locator('[data-demo="retry-backoff"]');
    const attempts = () => count(demo, 'rect[data-kind="ok"], rect[data-kind="failed"]');
    await slide(demo, 'max-attempts', 5);
    await slide(demo, 'initial-delay', 100);

    const seen: number[] = [];
    for (const rate of [0, 25, 50, 75, 100]) {
      await slide(demo, 'failure-rate', rate);
      seen.push(await attempts());
      // The summary table agrees with the chart.
      expect(Number(await text(demo, 'total-attempts'))).toBe(seen[seen.length - 1]);
    }
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen[0]).toBe(5 * 4); // five kinds, four calls each, one attempt each
    expect(seen[seen.length - 1]).toBe(5 * 4 * 5); // every call gives up after 5 attempts
    expect(new Set(seen).size).toBeGreaterThan(2);

    // At 100%, each call waits 4 times; the waits of each kind follow its formula.
    expect(await count(demo, 'line[data-kind="wait"]')).toBe(5 * 4 * 4);
    const waitsOfFirstCall = (kind: string) =>
      demo
        .locator(`[data-group="${kind}"]`)
        .first()
        .locator('line[data-kind="wait"]')
        .evaluateAll((lines) =>
          lines.map((line) => Math.round((Number(line.getAttribute('data-end')) - Number(line.getAttribute('data-start'))) * 1e6) / 1e6),
        );
    expect(await waitsOfFirstCall('constant')).toEqual([100, 100, 100, 100]);
    expect(await waitsOfFirstCall('linear')).toEqual([100, 200, 300, 400]);
    expect(await waitsOfFirstCall('exponential')).toEqual([100, 200, 400, 800]);
    expect(await waitsOfFirstCall('fibonacci')).toEqual([100, 100, 200, 300]);
    for (const [index, wait] of (await waitsOfFirstCall('jitter')).entries()) expect(wait).toBeLessThan(100 * 2 ** index);

    // maxAttempts bounds the attempts.
    await slide(demo, 'max-attempts', 2);
    expect(await attempts()).toBe(5 * 4 * 2);

    await page.close();
    expect(problems).toEqual([]);
  }, 120_000);

  it('circuit-breaker demo: failures open the breaker in the diagram, recovery closes it, counters follow', async () => {
    const { page, problems } = await openPage(context, '/packages/circuit-breaker');
    const demo = page.locator('[data-demo="circuit-breaker"]');
    const node = (name: string) => demo.locator(`[data-state-node="${name}"]`);
    const counter = async (testId: string) => Number(await text(demo, testId));

    // A healthy service, and a fresh start once the calls made before are over (a call still
    // running at reset() is reported in the stats when it ends, failed or not).
    await demo.locator('[data-control="failure-rate"]').fill('0');
    const lastOutcomes = () =>
      demo
        .locator('.breaker-demo__call')
        .evaluateAll((dots) => dots.slice(-6, -2).map((dot) => (dot.getAttribute('class') ?? '').replace(/.*--/, '')));
    await expect.poll(lastOutcomes, { timeout: 30_000 }).toEqual(['ok', 'ok', 'ok', 'ok']);
    await demo.locator('[data-control="reset"]').click();
    await expect.poll(() => node('closed').getAttribute('data-active')).toBe('true');
    await expect.poll(() => counter('successes'), { timeout: 30_000 }).toBeGreaterThan(2);
    expect(await counter('failures')).toBe(0);
    expect(await node('open').getAttribute('data-entered')).toBe('0');

    // Every call fails: three in a row open the circuit, and calls are turned away.
    await demo.locator('[data-control="failure-rate"]').fill('100');
    await expect.poll(() => node('open').getAttribute('data-entered'), { timeout: 30_000 }).not.toBe('0');
    await expect.poll(() => counter('rejections'), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await counter('failures')).toBeGreaterThanOrEqual(3);
    expect(await counter('times-opened')).toBeGreaterThanOrEqual(1);
    // resetTimeout (2 s) later, a trial goes through: the half-open state lights up once.
    await expect.poll(() => node('half-open').getAttribute('data-entered'), { timeout: 30_000 }).not.toBe('0');

    // The service recovers: the next trial closes the circuit.
    await demo.locator('[data-control="failure-rate"]').fill('0');
    await expect.poll(() => node('closed').getAttribute('data-entered'), { timeout: 30_000 }).not.toBe('1');
    await expect.poll(() => node('closed').getAttribute('data-active')).toBe('true');
    expect(await node('open').getAttribute('data-active')).toBe('false');
    expect(await counter('state-changes')).toBeGreaterThanOrEqual(3);

    await demo.scrollIntoViewIfNeeded();
    await demo.screenshot({ path: join(artifacts, 'circuit-breaker-recovered.png') });

    // reset() starts the counts afresh.
    await demo.locator('[data-control="reset"]').click();
    await expect.poll(() => counter('state-changes')).toBe(0);
    await page.close();
    expect(problems).toEqual([]);
  }, 180_000);

  it('rate-limiter demo: never more admitted calls in a window than the limit, for every algorithm and load', async () => {
    const { page, problems } = await openPage(context, '/packages/rate-limiter');
    const demo = page.locator('[data-demo="rate-limiter"]');
    const charts = demo.locator('.limiter-demo__charts');
    const algorithms: RateLimitAlgorithm[] = ['sliding-window', 'token-bucket', 'fixed-window'];
    const admissions = () => startsOf(demo, 'rect[data-kind="ok"], rect[data-kind="failed"]');
    const rejectedCount: Record<string, number> = {};

    for (const algorithm of algorithms) {
      const radio = demo.locator(`[data-control="algorithm"][value="${algorithm}"]`);
      if (!(await radio.isChecked())) await afterChange(demo, () => radio.check());
      for (const load of [3, 12, 25]) {
        await slide(demo, 'load', load);
        expect(await charts.getAttribute('data-algorithm')).toBe(algorithm);
        const limit = Number(await charts.getAttribute('data-limit'));
        const timeWindow = Number(await charts.getAttribute('data-time-window'));
        expect([limit, timeWindow]).toEqual([5, 1_000]);
        const admitted = await admissions();
        const rejected = await count(demo, 'rect[data-kind="rejected"]');
        expect(admitted.length + rejected, `${algorithm} at ${load}/s`).toBe(30);
        expect(mostInOneWindow(algorithm, admitted, { maxCalls: limit, timeWindow }), `${algorithm} at ${load}/s`).toBeLessThanOrEqual(limit + 1e-9);
        // The line on top never crosses the limit line either.
        const chart = charts.locator('svg[data-peak]');
        expect(Number(await chart.getAttribute('data-peak'))).toBeLessThanOrEqual(Number(await chart.getAttribute('data-limit')) + 1e-9);
        rejectedCount[`${algorithm}@${load}`] = rejected;
      }
      // Heavy load makes callers wait, and rejects those whose turn is too far away.
      expect(await count(demo, 'rect[data-kind="queued"]'), algorithm).toBeGreaterThan(0);
      expect(rejectedCount[`${algorithm}@25`], algorithm).toBeGreaterThan(rejectedCount[`${algorithm}@3`]!);
    }

    // The failure rate changes no admission: a permit is spent whether the call fails or not.
    await slide(demo, 'failure-rate', 0);
    const healthy = await admissions();
    await slide(demo, 'failure-rate', 100);
    expect(await admissions()).toEqual(healthy);
    expect(await count(demo, 'rect[data-kind="ok"]')).toBe(0);

    await page.close();
    expect(problems).toEqual([]);
  }, 180_000);

  it('timeout demo: calls slower than the deadline end at it with TimeoutError', async () => {
    const { page, problems } = await openPage(context, '/packages/timeout');
    const demo = page.locator('[data-demo="timeout"]');
    await slide(demo, 'failure-rate', 0);
    await slide(demo, 'timeout', 400);

    await slide(demo, 'latency', 50);
    expect(await text(demo, 'timed-out')).toBe('0');
    expect(await text(demo, 'answered')).toBe('10');

    await slide(demo, 'latency', 1000); // at least 500 ms each
    expect(await text(demo, 'timed-out')).toBe('10');
    expect(await text(demo, 'service-aborted')).toBe('10');
    const ends = await demo.locator('rect[data-kind="timeout"]').evaluateAll((spans) => spans.map((span) => Number(span.getAttribute('data-end'))));
    expect(ends).toEqual(Array<number>(10).fill(400));
    expect(await demo.locator('[data-marker]').getAttribute('data-marker')).toBe('400');

    // A later deadline: whatever times out now ends at 1 s, and the rest before it.
    await slide(demo, 'timeout', 1000);
    const spans = await demo
      .locator('rect[data-kind]')
      .evaluateAll((rects) => rects.map((rect) => [rect.getAttribute('data-kind'), Number(rect.getAttribute('data-end'))] as const));
    expect(spans).toHaveLength(10);
    for (const [kind, end] of spans) {
      if (kind === 'timeout') expect(end).toBe(1_000);
      else expect(end).toBeLessThan(1_000);
    }
    await slide(demo, 'latency', 300); // at most 450 ms each
    expect(await text(demo, 'timed-out')).toBe('0');

    await page.close();
    expect(problems).toEqual([]);
  }, 120_000);

  it('fallback demo: failures are replaced by the fallback, and reach the callers without it', async () => {
    const { page, problems } = await openPage(context, '/packages/fallback');
    const demo = page.locator('[data-demo="fallback"]');
    const toggle = demo.locator('[data-control="fallback-enabled"]');
    if (!(await toggle.isChecked())) await afterChange(demo, () => toggle.check());

    await slide(demo, 'failure-rate', 0);
    expect([await text(demo, 'fresh'), await text(demo, 'fallback'), await text(demo, 'errors')]).toEqual(['10', '0', '0']);

    await slide(demo, 'failure-rate', 100);
    expect([await text(demo, 'fresh'), await text(demo, 'fallback'), await text(demo, 'errors')]).toEqual(['0', '10', '0']);
    expect(await count(demo, '[data-answer="fallback"]')).toBe(10);
    expect(await count(demo, 'rect[data-kind="fallback"]')).toBe(10);

    await afterChange(demo, () => toggle.uncheck());
    expect([await text(demo, 'fallback'), await text(demo, 'errors')]).toEqual(['0', '10']);
    expect(await count(demo, '[data-answer="error"]')).toBe(10);

    await page.close();
    expect(problems).toEqual([]);
  }, 120_000);
});
