/**
 * Interleaved rounds of batched timings. In every round each row (the baseline included) runs
 * batches of awaited calls under tinybench; a row's figure for the round is its median batch
 * time per call, and its ratio is that over the baseline's figure in the same round. The order
 * of the rows rotates from round to round, so slow drifts of a shared machine hit every row alike.
 * Batches are sized to take about 0.5 ms: long enough that timer reads cost next to nothing,
 * short enough that most run within one time slice on a busy machine (the median skips the rest).
 */
import { Bench } from 'tinybench';
import { median } from './stats.mjs';

// A separate function per row, so each loop's call site sees one callee. V8 caches code (and its
// type feedback) by source text, so each row's source is made unique by a serial number.
let serial = 0;
const batchSource = () => `// batch ${++serial}
return async function batch() {
  for (let i = 0, n = size.n; i < n; i++) {
    try { await call(); } catch {}
  }
}`;
const MIN_BATCH = 10;
const MAX_BATCH = 100_000;

/** A batch of `size.n` awaited calls; `size.n` is set by calibration. */
function makeBatch(call) {
  const size = { n: 1 };
  return { size, run: new Function('call', 'size', batchSource())(call, size) };
}

async function timeOnce(run) {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

/** Sets the calls per batch so that a batch takes about `batchMs`: timer reads then cost next to nothing. */
async function calibrate({ size, run }, batchMs) {
  size.n = 4;
  while (size.n < MAX_BATCH && (await timeOnce(run)) < batchMs / 8) size.n *= 2;
  let fastest = Infinity;
  for (let i = 0; i < 5; i++) fastest = Math.min(fastest, await timeOnce(run));
  size.n = Math.min(MAX_BATCH, Math.max(MIN_BATCH, Math.round((size.n * batchMs) / Math.max(fastest, 1e-3))));
}

/**
 * @param rows `[{ id, call }]`; `rows[0]` is the baseline.
 * @returns per row id: `batch` (calls per batch) and `ns` (ns per call, one per round).
 */
export async function measureRounds(rows, { rounds, time, batchMs = 0.5, warmupTime = 100, log }) {
  const measured = [];
  for (const row of rows) {
    const batch = makeBatch(row.call);
    await calibrate(batch, batchMs);
    measured.push({ id: row.id, size: batch.size, batch: batch.size.n, run: batch.run, ns: [] });
  }

  // One discarded round: JIT tiers, lazy allocations, first-call setup. A first calibration runs
  // on cold code and overestimates a call, so batches are sized again from the warm figures.
  const warm = new Bench({ time: warmupTime, iterations: 3, warmup: false, throws: true });
  for (const { id, run } of measured) warm.add(id, run);
  await warm.run();
  for (const task of warm.tasks) {
    const row = measured.find((candidate) => candidate.id === task.name);
    const perCall = task.result.latency.p50 / row.size.n;
    row.size.n = Math.min(MAX_BATCH, Math.max(MIN_BATCH, Math.round(batchMs / perCall)));
    row.batch = row.size.n;
  }

  // The baseline runs three times a round (first, middle, last) and its figure for the round is
  // the median of the three, so one disturbed baseline batch does not skew a whole round.
  const [baseline, ...others] = measured;
  const byId = new Map(measured.map((row) => [row.id, row]));
  for (let round = 0; round < rounds; round++) {
    const bench = new Bench({ time, iterations: 5, warmup: false, throws: true });
    const shift = others.length === 0 ? 0 : round % others.length;
    const order = [...others.slice(shift), ...others.slice(0, shift)];
    const middle = order.length >> 1;
    bench.add(`${baseline.id}#1`, baseline.run);
    for (const [index, { id, run }] of order.entries()) {
      if (index === middle) bench.add(`${baseline.id}#2`, baseline.run);
      bench.add(id, run);
    }
    bench.add(`${baseline.id}#3`, baseline.run);
    await bench.run();
    const baselineRuns = [];
    for (const task of bench.tasks) {
      const result = task.result;
      if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state} ${String(result.error ?? '')}`);
      const id = task.name.split('#')[0];
      const row = byId.get(id);
      const perCall = (result.latency.p50 * 1e6) / row.batch;
      if (row === baseline) baselineRuns.push(perCall);
      else row.ns.push(perCall);
    }
    baseline.ns.push(median(baselineRuns));
    log?.(`round ${round + 1}/${rounds}`);
  }
  return Object.fromEntries(measured.map(({ id, batch, ns }) => [id, { batch, ns }]));
}
