// Every code example on the site is a file in this folder, shown by the pages through VitePress
// snippet imports. This test type-checks the folder as a user's project would, then runs each
// example and checks what it computed.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { ManualClock } from '@cemaf/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { pollUntilReady as PollUntilReady } from './poll-until-ready.ts';

const here = import.meta.dirname;

/** What to check of each example's exports; every example must have an entry. */
const checks: Record<string, (module: Record<string, unknown>) => Promise<void> | void> = {
  'manual-clock.ts': (module) => {
    expect(module.woken).toEqual([50, 100]);
    expect(console.log).toHaveBeenCalledWith([50, 100]);
  },
  'errors.ts': (module) => {
    expect(module.messages).toEqual([
      'The service is down; try again in 30000 ms.',
      'Too many requests; try again in 250 ms.',
      'No answer within 2000 ms.',
      'Something went wrong.',
    ]);
  },
  'pipeline.ts': (module) => {
    expect(module.answer).toBe(42);
    expect(module.user).toEqual({ id: 7, name: 'Ada' });
    expect((module.trace as string[]).slice(0, 5)).toEqual([
      'outer: start r-1 (attempt 1)',
      'inner: start r-1 (attempt 1)',
      'fn: attempt 1',
      'inner: end',
      'outer: end',
    ]);
  },
  'poll-until-ready.ts': async (module) => {
    const pollUntilReady = module.pollUntilReady as typeof PollUntilReady;
    const clock = new ManualClock();
    let checks = 0;
    const ready = pollUntilReady(() => ++checks === 4, { clock, interval: 500 });
    await clock.advance(1_500);
    await expect(ready).resolves.toBe(1_500);
  },
  'composing-order.ts': (module) => {
    expect(module.failing).toEqual({
      recommended: { serviceCalls: 3, permits: 3, breakerFailures: 3, breakerRejected: 0 },
      retryInnermost: { serviceCalls: 3, permits: 1, breakerFailures: 1, breakerRejected: 0 },
    });
    expect(module.open).toEqual({
      recommended: { serviceCalls: 0, permits: 0, breakerFailures: 0, breakerRejected: 3 },
      limiterFirst: { serviceCalls: 0, permits: 3, breakerFailures: 0, breakerRejected: 3 },
    });
  },
};

const examples = readdirSync(here).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'));

describe('the site’s code examples', () => {
  afterEach(() => {
    vi.resetModules();
  });

  it('type-check as a user’s project would', () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const result = spawnSync(process.execPath, [tsc, '--noEmit', '-p', `${here}/tsconfig.json`], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, 60_000);

  it('each have a check here', () => {
    expect(examples.sort()).toEqual(Object.keys(checks).sort());
  });

  it.each(examples)('%s runs and computes what the page says', async (file) => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const module = (await import(/* @vite-ignore */ join(here, file))) as Record<string, unknown>;
    await checks[file]!(module);
  });
});
