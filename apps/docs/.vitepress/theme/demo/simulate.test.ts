import { describe, expect, it } from 'vitest';
import { simulate } from './simulate.ts';

describe('simulate', () => {
  it('runs a scenario on virtual time and reports how long it spanned', async () => {
    const simulation = await simulate(async (clock) => {
      await clock.sleep(1_000);
      await clock.sleep(2_500);
      return 'done';
    });
    expect(simulation.value).toBe('done');
    expect(simulation.virtualTime).toBe(3_500);
    expect(simulation.realTime).toBeGreaterThanOrEqual(0);
  });

  it('passes on a scenario that fails', async () => {
    const failing = simulate(async (clock) => {
      await clock.sleep(10);
      throw new Error('scenario failed');
    });
    await expect(failing).rejects.toThrow('scenario failed');
  });

  it('refuses a scenario that does not settle within the limit', async () => {
    const endless = simulate(async (clock) => {
      for (;;) await clock.sleep(1_000);
    }, 10_000);
    await expect(endless).rejects.toThrow('The simulation did not settle within 10000 ms of virtual time');
  });
});
