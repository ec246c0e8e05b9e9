// The runtime matrix: runs the smoke suite (smoke/) on the built packages in Node 18, 20, 22 and
// 24 (import and require), Bun, Deno and headless Chromium, prints runtime x result and writes
// .test-results/runtimes.json. Exits 1 if anything failed.
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findChromium } from '@cemaf/test-utils';
import { runChromium } from './chromium.js';
import { ensureInstalled, type Installed } from './install.js';
import { failures, matrixTable, totals, writeResults } from './report.js';
import type { RuntimeRun } from './results.js';
import { runProcess } from './run-process.js';
import { cacheFolder, matrix, type Download, type Runtime } from './runtimes.js';
import { loadProblems, smokeModules, treePackages } from './workspace.js';

// This file runs bundled from .artifacts/: the package is one folder up either way.
const runtimesDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = resolve(runtimesDir, '..', '..');
const started = performance.now();

/** Runs at most `limit` tasks at once. */
function limiter(limit: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((wake) => waiting.push(wake));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

// Every package in the tree, none left out: one without a smoke module fails the run.
const tested = treePackages(repo);
const modules = await smokeModules(runtimesDir);
const workspaceProblems = tested.flatMap((pkg) => loadProblems(pkg, runtimesDir));
for (const pkg of tested) {
  if (!modules.some((module) => module.name === pkg.folder)) {
    workspaceProblems.push(
      `${pkg.name} has no smoke module: add smoke/${pkg.folder}.js and list it in smoke/registry.js`,
    );
  }
}
const present = new Set(tested.map((pkg) => pkg.name));
const selected = modules.filter((module) => module.packages.every((name) => present.has(name)));
const waiting = modules.filter((module) => !selected.includes(module));

console.log(`Packages: ${tested.map((pkg) => pkg.name).join(', ')}`);
console.log(`Smoke modules: ${selected.map((module) => module.name).join(', ')}`);
for (const module of waiting) {
  const missing = module.packages.filter((name) => !present.has(name));
  console.log(`  (${module.name} runs once ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} in the tree)`);
}
for (const problem of workspaceProblems) console.log(`FAIL ${problem}`);

const cache = cacheFolder();
const installs = new Map<string, Promise<Installed>>();
const install = (download: Download) => {
  let pending = installs.get(download.id);
  if (pending === undefined) {
    pending = ensureInstalled(cache, download);
    installs.set(download.id, pending);
    void pending.then(
      (done) =>
        done.fetched &&
        console.log(`  fetched ${download.npmPackage}@${download.version} in ${done.seconds.toFixed(1)} s`),
      () => undefined,
    );
  }
  return pending;
};

// Downloads go in parallel (network-bound); runs share the cores.
const runSlot = limiter(Math.max(2, availableParallelism()));
const moduleNames = selected.map((module) => module.name);

async function runRuntime(runtime: Runtime): Promise<RuntimeRun> {
  const runStarted = performance.now();
  const failed = (check: string, error: unknown): RuntimeRun => ({
    label: runtime.label,
    version: '?',
    status: 'failed',
    results: [
      { module: 'runtime', check, ok: false, error: String(error instanceof Error ? error.message : error), ms: 0 },
    ],
    seconds: (performance.now() - runStarted) / 1000,
  });
  if (runtime.kind === 'chromium') {
    let found: ReturnType<typeof findChromium>;
    try {
      found = findChromium();
    } catch (error) {
      return failed('finds chromium', error);
    }
    if ('skip' in found)
      return { label: runtime.label, version: '-', status: 'skipped', results: [], note: found.skip, seconds: 0 };
    const { path } = found;
    return runSlot(() => runChromium(runtime.label, path, runtimesDir, selected));
  }
  let binary: string;
  try {
    binary = 'path' in runtime.binary ? runtime.binary.path : (await install(runtime.binary)).binary;
  } catch (error) {
    return failed('installs from the npm registry', error);
  }
  return runSlot(() =>
    runProcess({
      label: runtime.label,
      binary,
      args: runtime.args,
      mode: runtime.mode,
      modules: moduleNames,
      env: runtime.env,
      cwd: runtimesDir,
    }),
  );
}

// Arguments pick runtimes by name, for debugging one (`pnpm test deno`); none runs the matrix.
const only = process.argv.slice(2);
const runtimes = matrix(cache).filter(
  (runtime) => only.length === 0 || only.some((name) => runtime.label.includes(name)),
);
if (only.length > 0) console.log(`Only ${runtimes.map((runtime) => runtime.label).join(', ')}: not the whole matrix`);

// Chromium takes the longest: it takes a slot first, while the downloads are still going.
const starts = new Map(
  runtimes.map((runtime) => [runtime, runtime.kind === 'chromium' ? runRuntime(runtime) : undefined]),
);
const runs = await Promise.all(
  runtimes.map(async (runtime) => {
    const run = await (starts.get(runtime) ?? runRuntime(runtime));
    const passed = run.results.filter((result) => result.ok).length;
    const summary =
      run.status === 'skipped'
        ? `SKIPPED (${run.note})`
        : `${run.status === 'passed' ? 'pass' : 'FAIL'}, ${passed}/${run.results.length} checks`;
    console.log(`  ${run.label}: ${summary} in ${run.seconds.toFixed(1)} s`);
    return run;
  }),
);

const moduleColumns = [...new Set(runs.flatMap((run) => run.results.map((result) => result.module)))].filter(
  (name) => name !== 'runtime',
);
console.log(`\n${matrixTable(runs, moduleColumns)}\n`);
const failed = failures(runs);
if (failed) console.log(`${failed}\n`);
for (const run of runs.filter((each) => each.status === 'skipped')) {
  console.log(`SKIPPED ${run.label}: ${run.note}`);
}
for (const problem of workspaceProblems) console.log(`FAIL ${problem}`);

const summary = totals(runs, workspaceProblems);
writeResults(runtimesDir, summary, runs);
const count = (status: RuntimeRun['status']) => runs.filter((run) => run.status === status).length;
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(
  `Runtime matrix: ${count('passed')} of ${runs.length} runtimes passed (${count('failed')} failed, ` +
    `${count('skipped')} skipped); ${summary.numPassedTests} checks passed, ${summary.numFailedTests} failed; ` +
    `${seconds} s, runtimes cached in ${cache}`,
);
process.exitCode = count('failed') > 0 || workspaceProblems.length > 0 ? 1 : 0;
