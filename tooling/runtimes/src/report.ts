import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckResult, RuntimeRun } from './results.js';

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

function counts(results: readonly CheckResult[]): string {
  const passed = results.filter((result) => result.ok).length;
  return `${passed}/${results.length}`;
}

/** The runtime x result table, with each module's passed/total checks per runtime. */
export function matrixTable(runs: readonly RuntimeRun[], modules: readonly string[]): string {
  const header = ['runtime', 'version', 'result', ...modules, 'runtime checks', 'time'];
  const rows = runs.map((run) => [
    run.label,
    run.version,
    run.status === 'passed' ? 'PASS' : run.status === 'failed' ? 'FAIL' : 'SKIPPED',
    ...modules.map((module) => {
      const results = run.results.filter((result) => result.module === module);
      return run.status === 'skipped' ? '-' : counts(results);
    }),
    run.status === 'skipped' ? '-' : counts(run.results.filter((result) => result.module === 'runtime')),
    `${run.seconds.toFixed(1)} s`,
  ]);
  return table(header, rows);
}

/** Every failed check, with the runtime it failed in. */
export function failures(runs: readonly RuntimeRun[]): string {
  const lines: string[] = [];
  for (const run of runs) {
    for (const result of run.results.filter((each) => !each.ok)) {
      lines.push(
        `FAIL ${run.label} > ${result.module} > ${result.check}\n  ${(result.error ?? '').split('\n').join('\n  ')}`,
      );
    }
    if (run.status === 'failed' && run.note)
      lines.push(`  output of ${run.label}:\n  ${run.note.split('\n').join('\n  ')}`);
  }
  return lines.join('\n');
}

export interface Totals {
  readonly numPassedTests: number;
  readonly numFailedTests: number;
  readonly numPendingTests: number;
}

/** Counts every check in every runtime; a skipped runtime counts as one pending test. */
export function totals(runs: readonly RuntimeRun[], workspaceProblems: readonly string[]): Totals {
  const all = runs.flatMap((run) => run.results);
  return {
    numPassedTests: all.filter((result) => result.ok).length,
    numFailedTests: all.filter((result) => !result.ok).length + workspaceProblems.length,
    numPendingTests: runs.filter((run) => run.status === 'skipped').length,
  };
}

/** Writes `.test-results/runtimes.json`, which the root's test summary adds up. */
export function writeResults(runtimesDir: string, summary: Totals, runs: readonly RuntimeRun[]): void {
  const dir = join(runtimesDir, '.test-results');
  mkdirSync(dir, { recursive: true });
  const runtimes = runs.map(({ label, version, status, seconds, results }) => ({
    label,
    version,
    status,
    seconds: Number(seconds.toFixed(2)),
    passed: results.filter((result) => result.ok).length,
    failed: results.filter((result) => !result.ok).length,
  }));
  writeFileSync(join(dir, 'runtimes.json'), `${JSON.stringify({ ...summary, runtimes }, null, 2)}\n`);
}
