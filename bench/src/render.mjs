/** Renders a report (see main.mjs) as markdown. */
import { bytes, int, ms, ns, table, times } from './lib/markdown.mjs';
import { speedup } from './targets.mjs';

const skippedNote = (skipped) =>
  skipped?.length ? `\n\nNot measured (package not built yet): ${skipped.map((row) => row.label ?? row.id).join('; ')}.` : '';

function renderOverhead({ rounds, groups }) {
  const parts = [];
  for (const group of groups) {
    const cemafOpen = group.id === 'open' && group.rows.some((row) => row.id === 'open.cemaf');
    const headers = ['', 'per call (median)', '× bare `await fn()` (median)', `range over ${rounds} rounds`];
    if (cemafOpen) headers.push('cemaf faster by (median, range)');
    const rows = group.rows.map((row) => {
      const cells = [
        row.label,
        ns(row.nsMedian),
        times(row.ratio.median),
        row.id === 'bare' ? '–' : `${times(row.ratio.min)} – ${times(row.ratio.max)}`,
      ];
      if (cemafOpen) {
        const faster = row.id === 'open.cemaf' || row.id === 'bare' ? undefined : speedup(groups, row.id, 'open.cemaf');
        cells.push(faster ? `${times(faster.median)} (${times(faster.min)} – ${times(faster.max)})` : '–');
      }
      return cells;
    });
    parts.push(`### ${group.title}\n\n${table(headers, rows)}${skippedNote(group.skipped)}`);
  }
  return parts.join('\n\n');
}

function renderSustained({ durationMs, rows }) {
  const measured = rows.filter((row) => !row.skipped);
  const body = table(
    ['', 'calls per s', 'longest stall (CPU)', 'longest loop turn (wall)', 'heap growth over the run', 'garbage once dropped', 'timers left after drop'],
    measured.map((row) => [
      row.label,
      int(row.callsPerSecond),
      ms(row.maxStallMs),
      ms(row.maxWallTurnMs),
      bytes(row.heapGrowthBytes),
      row.collectedAfterDrop === null ? '–' : row.collectedAfterDrop ? 'yes' : '**no**',
      String(row.timersLeft),
    ]),
  );
  return `### Sustained: one instance, ${durationMs / 1_000} s of back-to-back calls\n\n${body}${skippedNote(rows.filter((row) => row.skipped))}`;
}

function renderMemory({ keyed, breakers }) {
  const render = (rows, unit) =>
    table(
      ['', unit, 'count'],
      rows.filter((row) => !row.skipped).map((row) => [row.label, `${Math.round(row.bytes)} B`, int(row.count)]),
    ) + skippedNote(rows.filter((row) => row.skipped));
  return [
    `### Memory: keyed limiter (one permit taken per key, key strings \`user:<n>\` included)\n\n${render(keyed, 'bytes per key')}`,
    `### Memory: circuit breaker instances (one successful call each)\n\n${render(breakers, 'bytes per instance')}`,
  ].join('\n\n');
}

function renderAccuracy({ rows }) {
  const measured = rows.filter((row) => !row.skipped);
  const cell = (outcome, field) => (outcome?.supported ? field(outcome) : 'no such mode');
  const most = (outcome) => String(outcome.maxInAnyWindow);
  const counts = (outcome) => `${outcome.admitted} / ${outcome.refused}`;
  const virtual = table(
    ['', 'queued: most in any 1 s', 'queued: last admitted at', 'unqueued: most in any 1 s', 'unqueued: admitted / refused'],
    measured.map((row) => [
      row.label,
      cell(row.virtual.queued, most),
      cell(row.virtual.queued, (outcome) => ms(outcome.lastAdmissionMs, 0)),
      cell(row.virtual.unqueued, most),
      cell(row.virtual.unqueued, counts),
    ]),
  );
  const real = table(
    ['', 'queued: most in any 1 s', 'queued: offering the 1 000 calls took', 'unqueued: most in any 1 s', 'unqueued: admitted / refused'],
    measured.map((row) => [
      row.label,
      cell(row.real.queued, most),
      cell(row.real.queued, (outcome) => ms(outcome.offeredInMs, 0)),
      cell(row.real.unqueued, most),
      cell(row.real.unqueued, counts),
    ]),
  );
  return [
    '### Accuracy: 1 000 calls offered to a limit of 100 per second, from 300 ms after construction',
    'Queued: all offered at once, each waits for its turn. Unqueued: one offered every 2 ms (500 per second), refused when no permit is free. A call counts when `fn` starts; the figure is the most calls in any interval [t, t + 1 000 ms).',
    `Virtual time (timers, \`Date.now\` and \`performance.now\` replaced; what each algorithm admits, exactly):\n\n${virtual}`,
    `Real time on this machine, every row in its own process at once (what a downstream service would see). While the queued calls are being offered the event loop is blocked; a limiter that reserves future slots then lets the calls whose slots passed meanwhile start together:\n\n${real}`,
  ].join('\n\n') + skippedNote(rows.filter((row) => row.skipped));
}

/** `p-retry` -> `pRetry`, `opossum/dist/opossum.min.js` -> `opossum`. */
const defaultName = (from) =>
  from
    .split('/')
    .at(from.startsWith('@') ? 1 : 0)
    .replace(/-(\w)/g, (_, letter) => letter.toUpperCase());

function renderSize({ groups }) {
  const asImport = (code) =>
    code
      .replace(/export \{ default \} from '([^']+)';/g, (_, from) => `import ${defaultName(from)} from '${from}';`)
      .replaceAll('export {', 'import {')
      .replaceAll('\n', ' ');
  const rows = groups.flatMap((group) =>
    group.rows.map((row) => [
      group.title,
      '`' + asImport(row.code) + '`',
      row.skipped ? 'not built' : bytes(row.minified),
      row.skipped ? 'not built' : `${row.gzip.toLocaleString('en-US')} B`,
      row.note ?? '',
    ]),
  );
  return `### Bundle size of a minimal use (esbuild --bundle --minify --format=esm --platform=browser, gzip -9)\n\n${table(['', 'import', 'minified', 'gzip', 'note'], rows, 'llrrl')}`;
}

function renderTargets(targets) {
  const mark = (met) => (met === null ? '–' : met ? 'met' : '**missed**');
  return `### Targets\n\n${table(['area', 'target', 'measured', ''], targets.map((target) => [target.area, target.target, target.shown, mark(target.met)]), 'llrl')}`;
}

export function render(report) {
  const { machine } = report;
  const parts = [
    `## cemaf benchmarks, ${machine.date.slice(0, 10)}`,
    [
      `Node ${machine.node} (V8 ${machine.v8}), ${machine.platform}, ${machine.nproc} cores (${machine.cpu}), ${machine.memoryGiB} GiB;`,
      `load average at start ${machine.loadAverageAtStart.join(' / ')}; run took ${(report.durationMs / 1_000).toFixed(0)} s.`,
      `\`fn = async () => 1\`. Reproduce: \`${report.command}\`.`,
      report.missing.length ? `Not built at the time of the run: ${report.missing.map((name) => `\`${name}\``).join(', ')}.` : '',
    ]
      .filter(Boolean)
      .join(' '),
  ];
  if (report.targets?.length) parts.push(renderTargets(report.targets));
  if (report.overhead) parts.push(renderOverhead(report.overhead));
  if (report.sustained) parts.push(renderSustained(report.sustained));
  if (report.memory) parts.push(renderMemory(report.memory));
  if (report.accuracy) parts.push(renderAccuracy(report.accuracy));
  if (report.size) parts.push(renderSize(report.size));
  return `${parts.join('\n\n')}\n`;
}
