/**
 * `pnpm bench`: every benchmark of cemaf against its peers. Prints markdown tables and writes
 * results/latest.json and results/latest.md (`--save` also keeps a dated copy to commit).
 *
 *   --only=size,memory,overhead,sustained,accuracy   run some sections
 *   --quick                                           fewer, shorter rounds (a smoke run)
 *   --save                                            also write results/<date>.{json,md} and put
 *                                                     the tables into README.md (between its markers)
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadCemaf, missingCemaf } from './cemaf.mjs';
import { inChild, inParallel } from './lib/child.mjs';
import { machine } from './lib/machine.mjs';
import { render } from './render.mjs';
import { ACCURACY_ROWS } from './sections/accuracy.mjs';
import { BREAKER_ROWS, KEYED_ROWS } from './sections/memory.mjs';
import { GROUPS as OVERHEAD_GROUPS } from './sections/overhead.mjs';
import { measure as measureSize } from './sections/size.mjs';
import { SUSTAINED_SUBJECTS } from './sections/sustained.mjs';
import { available } from './subjects.mjs';
import { evaluateTargets } from './targets.mjs';

const SECTIONS = ['size', 'memory', 'overhead', 'sustained', 'accuracy'];
const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const only = args.find((arg) => arg.startsWith('--only='))?.slice('--only='.length).split(',');
const sections = only ?? SECTIONS;
const unknown = sections.filter((section) => !SECTIONS.includes(section));
if (unknown.length > 0) throw new Error(`unknown section(s) ${unknown.join(', ')}; pick from ${SECTIONS.join(', ')}`);
const quick = flag('quick');
if (flag('save') && (quick || only)) throw new Error('--save keeps a full run only: leave out --quick and --only');
const settings = quick
  ? { rounds: 3, time: 40, sustainedMs: 500 }
  : { rounds: 10, time: 120, sustainedMs: 2_500 };

const log = (message) => process.stderr.write(`${message}\n`);
const started = performance.now();
const cemaf = await loadCemaf();
const report = {
  machine: machine(),
  command: ['pnpm bench', ...args.filter((arg) => arg !== '--save')].join(' '),
  settings,
  missing: await missingCemaf(),
};

/** Marks the rows whose cemaf package is missing, and returns the ones to measure. */
function split(rows) {
  const { ready, skipped } = available(rows, cemaf);
  return { ready, skipped: skipped.map((row) => ({ ...row, skipped: row.missing })) };
}
const labelled = (rows, results) => results.map((result, index) => ({ label: rows[index].label, lib: rows[index].lib, ...result }));

if (sections.includes('size')) {
  log('size: bundling minimal imports');
  report.size = await measureSize();
}

if (sections.includes('memory')) {
  report.memory = {};
  for (const [name, rows] of [
    ['keyed', KEYED_ROWS],
    ['breakers', BREAKER_ROWS],
  ]) {
    const { ready, skipped } = split(rows);
    const results = [];
    for (const row of ready) {
      log(`memory: ${row.id}`);
      results.push(await inChild('memory', { id: row.id }, { timeoutMs: 120_000 }));
    }
    report.memory[name] = [...labelled(ready, results), ...skipped];
  }
}

if (sections.includes('overhead')) {
  const groups = [];
  for (const group of OVERHEAD_GROUPS) {
    log(`overhead: ${group.id}, ${settings.rounds} interleaved rounds`);
    groups.push(await inChild('overhead', { group: group.id, rounds: settings.rounds, time: settings.time }, { timeoutMs: 300_000 }));
  }
  report.overhead = { rounds: settings.rounds, time: settings.time, groups };
}

if (sections.includes('sustained')) {
  const { ready, skipped } = split(SUSTAINED_SUBJECTS);
  const results = [];
  for (const subject of ready) {
    log(`sustained: ${subject.id}`);
    results.push(await inChild('sustained', { id: subject.id, durationMs: settings.sustainedMs }, { timeoutMs: 60_000 }));
  }
  report.sustained = { durationMs: settings.sustainedMs, rows: [...labelled(ready, results), ...skipped] };
}

if (sections.includes('accuracy')) {
  const { ready, skipped } = split(ACCURACY_ROWS);
  const modes = ['queued', 'unqueued'];
  const runs = (time) =>
    ready.flatMap((row) => modes.map((mode) => () => inChild('accuracy', { id: row.id, mode, time }, { timeoutMs: 60_000 })));
  // Virtual time is CPU-bound: one child per core. Real time mostly sleeps: all at once, each in
  // its own process so that none delays another's timers more than the machine does.
  log('accuracy: virtual time');
  const virtual = await inParallel(runs('virtual'), availableParallelism());
  log('accuracy: real time, about 12 s');
  const real = await inParallel(runs('real'), ready.length * modes.length);
  const rows = ready.map((row, index) => ({
    id: row.id,
    lib: row.lib,
    label: row.label,
    virtual: { queued: virtual[index * 2], unqueued: virtual[index * 2 + 1] },
    real: { queued: real[index * 2], unqueued: real[index * 2 + 1] },
  }));
  report.accuracy = { rows: [...rows, ...skipped] };
}

report.durationMs = performance.now() - started;
report.machine.loadAverageAtEnd = loadavg().map((value) => Number(value.toFixed(2)));
report.targets = evaluateTargets(report);

const markdown = render(report);
const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
mkdirSync(resultsDir, { recursive: true });
writeFileSync(`${resultsDir}latest.json`, `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(`${resultsDir}latest.md`, markdown);
if (flag('save')) {
  const day = report.machine.date.slice(0, 10);
  copyFileSync(`${resultsDir}latest.json`, `${resultsDir}${day}.json`);
  copyFileSync(`${resultsDir}latest.md`, `${resultsDir}${day}.md`);
  const readmePath = fileURLToPath(new URL('../README.md', import.meta.url));
  const readme = readFileSync(readmePath, 'utf8');
  const [start, end] = ['<!-- results:start -->', '<!-- results:end -->'];
  if (readme.includes(start) && readme.includes(end)) {
    const tables = markdown.replace(/^## /m, '### ').replace(/^### (?!cemaf)/gm, '#### ');
    const body = `${start}\n\n${tables}\nFull figures, every round: [results/${day}.json](results/${day}.json).\n\n${end}`;
    writeFileSync(readmePath, readme.slice(0, readme.indexOf(start)) + body + readme.slice(readme.indexOf(end) + end.length));
  }
  log(`saved results/${day}.json and results/${day}.md, and the tables in README.md`);
}
process.stdout.write(markdown);
log(`done in ${(report.durationMs / 1_000).toFixed(0)} s; results/latest.json`);
