import { readFileSync, readdirSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadProfile } from './fetch-with-deadline.js';

const here = new URL('./', import.meta.url);

describe('README examples', () => {
  it('shows every example file as it is', () => {
    const readme = readFileSync(new URL('../README.md', here), 'utf8');
    const examples = readdirSync(here).filter((name) => name.endsWith('.ts') && name !== 'examples.test.ts');
    expect(examples.length).toBeGreaterThan(0);
    for (const name of examples) {
      expect(readme, `README.md should show examples/${name}`).toContain(readFileSync(new URL(name, here), 'utf8').trim());
    }
  });
});

describe('fetch-with-deadline', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('returns the profile when the API answers in time', async () => {
    vi.useFakeTimers();
    vi.stubGlobal('fetch', async (url: string) => Response.json({ id: url.split('/').pop(), name: 'Ada' }));
    await expect(loadProfile('7')).resolves.toEqual({ id: '7', name: 'Ada' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('returns undefined after 2 s of silence, and cancels the request', async () => {
    vi.useFakeTimers();
    let request: AbortSignal | undefined;
    vi.stubGlobal('fetch', (_url: string, init: RequestInit) => {
      request = init.signal ?? undefined;
      return new Promise(() => {});
    });
    const profile = loadProfile('7');
    await vi.advanceTimersByTimeAsync(2_000);
    await expect(profile).resolves.toBeUndefined();
    expect(request?.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('passes other failures on', async () => {
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('fetch failed')));
    await expect(loadProfile('7')).rejects.toThrow('fetch failed');
  });
});
