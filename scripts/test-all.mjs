// Runs every check of the workspace (build, typecheck, lint, package checks, tests, size
// budgets), then prints one closing line, "N passed, N failed, N skipped", summed over every
// workspace package's test results. A check that fails without test results counts as one failure.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const workspaces = ['packages', 'apps', 'tooling']
  .flatMap((group) => (existsSync(join(root, group)) ? readdirSync(join(root, group)).map((name) => join(root, group, name)) : []))
  .concat(join(root, 'bench'))
  .filter((dir) => existsSync(join(dir, 'package.json')));

for (const dir of workspaces) rmSync(join(dir, '.test-results'), { recursive: true, force: true });
const summaries = join(root, '.turbo', 'runs');
rmSync(summaries, { recursive: true, force: true });

const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' };
const turbo = spawnSync(
  'pnpm',
  ['exec', 'turbo', 'run', 'build', 'typecheck', 'lint', 'check:package', 'test', '--continue', '--summarize', '--output-logs=errors-only'],
  { cwd: root, stdio: 'inherit', env },
);

const failedChecks = [];
if (existsSync(summaries)) {
  const [summaryFile] = readdirSync(summaries);
  const summary = JSON.parse(readFileSync(join(summaries, summaryFile), 'utf8'));
  for (const task of summary.tasks) {
    const failed = task.execution?.exitCode !== 0 && task.execution?.exitCode !== undefined;
    if (failed) failedChecks.push({ name: task.taskId, dir: join(root, task.directory), task: task.task });
  }
} else if (turbo.status !== 0) {
  failedChecks.push({ name: 'turbo', dir: root, task: 'run' });
}

const sizeConfig = join(root, '.size-limit.json');
if (existsSync(sizeConfig)) {
  console.log('\nSize budgets (size-limit, gzip):');
  const size = spawnSync('pnpm', ['exec', 'size-limit'], { cwd: root, stdio: 'inherit', env });
  if (size.status !== 0) failedChecks.push({ name: 'size-limit', dir: root, task: 'size' });
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const rows = [];
for (const dir of workspaces) {
  const resultsDir = join(dir, '.test-results');
  if (!existsSync(resultsDir)) continue;
  for (const file of readdirSync(resultsDir).filter((name) => name.endsWith('.json'))) {
    const result = JSON.parse(readFileSync(join(resultsDir, file), 'utf8'));
    const passed = result.numPassedTests ?? 0;
    // A test file that fails to load has no failed tests of its own: count it as one failure.
    const brokenFiles = (result.testResults ?? []).filter(
      (file) => file.status === 'failed' && !file.assertionResults?.some((test) => test.status === 'failed'),
    ).length;
    const failed = (result.numFailedTests ?? 0) + brokenFiles;
    const skipped = (result.numPendingTests ?? 0) + (result.numTodoTests ?? 0);
    totals.passed += passed;
    totals.failed += failed;
    totals.skipped += skipped;
    rows.push(`| ${relative(root, dir)} (${file.replace(/\.json$/, '')}) | ${passed} | ${failed} | ${skipped} |`);
  }
}
for (const check of failedChecks) {
  // A failed test task has counted its failures already, unless it died before writing results.
  const counted = check.task === 'test' && existsSync(join(check.dir, '.test-results'));
  if (!counted) totals.failed += 1;
}

console.log('\n| workspace | passed | failed | skipped |\n| --- | --- | --- | --- |');
console.log(rows.join('\n'));
if (failedChecks.length > 0) console.log(`\nFailed: ${failedChecks.map((check) => check.name).join(', ')}`);
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failedChecks.length > 0 || totals.failed > 0 || turbo.status !== 0 ? 1 : 0);
