/**
 * One instance called back to back for 2.5 s, yielding to the event loop every 0.5 ms as a busy
 * server does. Reports the longest event-loop turn, the heap the run left behind, and whether the
 * instance is garbage once dropped without being closed (a timer that still holds it keeps it).
 *
 * The machine is shared, so a turn can be long only because the process was descheduled. A
 * turn's stall is therefore min(wall time, CPU time of the main thread): a turn spent waiting
 * for a core costs wall time but no CPU time. The main thread's CPU time comes from Linux's
 * schedstat (ns); elsewhere the process's CPU time stands in (it includes GC helper threads).
 * Both the stall and the wall figures are reported.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { loadCemaf } from '../cemaf.mjs';
import { available, bare, happy } from '../subjects.mjs';

export const SUSTAINED_SUBJECTS = [bare, ...happy.retry, ...happy.breaker, ...happy.limiter, ...happy.pipeline];

function settledHeap() {
  for (let i = 0; i < 3; i++) globalThis.gc();
  return process.memoryUsage().heapUsed;
}

/** Builds the instance while recording the timers it creates, to see which outlive it. */
async function makeRecordingTimers(subject, cemaf) {
  const created = [];
  const { setTimeout: originalTimeout, setInterval: originalInterval } = globalThis;
  globalThis.setTimeout = (...args) => {
    const timer = originalTimeout(...args);
    created.push(timer);
    return timer;
  };
  globalThis.setInterval = (...args) => {
    const timer = originalInterval(...args);
    created.push(timer);
    return timer;
  };
  try {
    return { instance: await subject.make(cemaf), created };
  } finally {
    globalThis.setTimeout = originalTimeout;
    globalThis.setInterval = originalInterval;
  }
}

/** Returns a function giving the main thread's CPU time so far, in ms. */
function mainThreadCpu() {
  try {
    const fd = openSync(`/proc/self/task/${process.pid}/schedstat`, 'r');
    const buffer = Buffer.alloc(128);
    const read = () => {
      const length = readSync(fd, buffer, 0, buffer.length, 0);
      return Number(buffer.toString('latin1', 0, length).split(' ')[0]) / 1e6;
    };
    read();
    return { read, close: () => closeSync(fd), source: 'main thread (schedstat)' };
  } catch {
    const read = () => {
      const usage = process.cpuUsage();
      return (usage.user + usage.system) / 1_000;
    };
    return { read, close: () => {}, source: 'process (cpuUsage)' };
  }
}

async function callFor(call, durationMs, sliceMs, cpu, onTurn) {
  let calls = 0;
  const end = performance.now() + durationMs;
  let wallStart = performance.now();
  let cpuStart = cpu.read();
  while (performance.now() < end) {
    const sliceEnd = performance.now() + sliceMs;
    do {
      await call();
      calls++;
    } while (performance.now() < sliceEnd);
    await yieldToLoop();
    if (onTurn) {
      const cpuNow = cpu.read();
      const wallNow = performance.now();
      onTurn(wallNow - wallStart, cpuNow - cpuStart);
      wallStart = wallNow;
      cpuStart = cpuNow;
    }
  }
  return calls;
}

export async function measure({ id, durationMs = 2_500, sliceMs = 0.5, warmupMs = 250 }) {
  const cemaf = await loadCemaf();
  const subject = SUSTAINED_SUBJECTS.find((candidate) => candidate.id === id);
  if (!subject || available([subject], cemaf).ready.length === 0) throw new Error(`${id}: unknown or not built`);

  const held = await makeRecordingTimers(subject, cemaf);
  // No local binding of the target: it would keep it alive.
  const weakTarget = held.instance.target === undefined ? undefined : new WeakRef(held.instance.target);
  const cpu = mainThreadCpu();
  await callFor(held.instance.call, warmupMs, sliceMs, cpu);
  const heapWarm = settledHeap();

  let maxStallMs = 0;
  let maxWallTurnMs = 0;
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const calls = await callFor(held.instance.call, durationMs, sliceMs, cpu, (wall, cpuMs) => {
    maxStallMs = Math.max(maxStallMs, Math.min(wall, cpuMs));
    maxWallTurnMs = Math.max(maxWallTurnMs, wall);
  });
  delay.disable();
  cpu.close();
  const heapAfterRun = settledHeap();

  // Dropped without close(): whatever a timer still holds stays reachable.
  held.instance = undefined;
  await yieldToLoop();
  settledHeap();
  await yieldToLoop();
  settledHeap();
  // Node marks a cleared or finished timer `_destroyed`.
  const timersLeft = held.created.filter((timer) => !timer._destroyed).length;
  return {
    id,
    calls,
    callsPerSecond: calls / (durationMs / 1_000),
    maxStallMs,
    maxWallTurnMs,
    cpuSource: cpu.source,
    p99LoopDelayMs: delay.percentile(99) / 1e6,
    heapGrowthBytes: heapAfterRun - heapWarm,
    collectedAfterDrop: weakTarget === undefined ? null : weakTarget.deref() === undefined,
    timersLeft,
  };
}
