/**
 * Happy path and fail fast: ns per call of each subject and its ratio to a bare `await fn()`
 * measured in the same round (median and range over the rounds).
 */
import { loadCemaf } from '../cemaf.mjs';
import { measureRounds } from '../lib/rounds.mjs';
import { median, range } from '../lib/stats.mjs';
import { available, bare, failFast, happy } from '../subjects.mjs';

export const GROUPS = [
  { id: 'retry', title: 'Happy path: retry (first attempt succeeds)', subjects: happy.retry },
  { id: 'breaker', title: 'Happy path: circuit breaker (closed)', subjects: happy.breaker },
  { id: 'limiter', title: 'Happy path: rate limiter (limit so high nothing waits)', subjects: happy.limiter },
  { id: 'pipeline', title: 'Happy path: retry + breaker + limiter', subjects: happy.pipeline },
  { id: 'timeout', title: 'Happy path: timeout (never reached)', subjects: happy.timeout },
  { id: 'fallback', title: 'Happy path: fallback (not needed)', subjects: happy.fallback },
  { id: 'open', title: 'Fail fast: open breaker rejecting', subjects: failFast },
];

/** Median and range of `numerators[i] / denominators[i]`, round by round. */
export function ratioStats(numerators, denominators) {
  const ratios = numerators.map((value, index) => value / denominators[index]);
  const [min, max] = range(ratios);
  return { median: median(ratios), min, max };
}

/** Measures one group; main.mjs runs each group in a fresh process, so no group sees another's JIT state. */
export async function measure({ group: groupId, rounds, time }) {
  const cemaf = await loadCemaf();
  const groups = [];
  for (const group of GROUPS.filter((candidate) => candidate.id === groupId)) {
    const { ready, skipped } = available(group.subjects, cemaf);
    const subjects = [bare, ...ready];
    const rows = [];
    for (const subject of subjects) rows.push({ ...subject, ...(await subject.make(cemaf)) });
    process.stderr.write(`  ${group.id}: ${rows.length} rows\n`);
    const measured = await measureRounds(rows, { rounds, time });
    for (const row of rows) await row.close?.();
    const baseline = measured[bare.id].ns;
    groups.push({
      id: group.id,
      title: group.title,
      skipped,
      rows: subjects.map(({ id, lib, label }) => ({
        id,
        lib,
        label,
        batch: measured[id].batch,
        ns: measured[id].ns,
        nsMedian: median(measured[id].ns),
        ratio: ratioStats(measured[id].ns, baseline),
      })),
    });
  }
  return groups[0];
}
