import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi, type MockInstance } from 'vitest';

/** Options of {@link describeReadmeExamples}. */
export interface ReadmeExamplesOptions {
  /**
   * Whether the README names each example in a `<!-- examples/<file> -->` line just above its
   * code block. Without markers, each file must still appear whole in a `ts` code block.
   * @default true
   */
  readonly markers?: boolean;
}

/**
 * Checks that the package's README.md shows every file of its `examples/` folder exactly as it
 * is, so the README never drifts from code that the tests run. Call it from the examples test
 * with `import.meta.url`; every other file of that folder is an example.
 */
export function describeReadmeExamples(testFile: string | URL, options: ReadmeExamplesOptions = {}): void {
  const folder = new URL('.', testFile);
  const self = fileURLToPath(testFile).split(/[\\/]/).pop();
  const read = (url: URL) => readFileSync(url, 'utf8');
  const readme = () => read(new URL('../README.md', folder));
  const examples = () => readdirSync(folder).filter((name) => name !== self);

  describe('README.md', () => {
    if (options.markers === false) {
      it('shows every example file as it is', () => {
        const text = readme();
        const names = examples();
        expect(names.length).toBeGreaterThan(0);
        for (const name of names) {
          expect(text, `README.md should show examples/${name}`).toContain('```ts\n' + read(new URL(name, folder)).trimEnd() + '\n```');
        }
      });
      return;
    }

    it('shows each example file exactly as it is', () => {
      const shown = [...readme().matchAll(/<!-- (examples\/[\w.-]+) -->\n```ts\n([\s\S]*?)\n```/g)];
      expect(shown.length).toBeGreaterThan(0);
      for (const [, path, code] of shown) expect(code, path).toBe(read(new URL(`../${path}`, folder)).trimEnd());
    });

    it('shows every example file', () => {
      const text = readme();
      for (const name of examples()) expect(text, name).toContain(`<!-- examples/${name} -->`);
    });
  });
}

/** Silences `console[method]` for the test (restored with the other mocks) and returns its spy. */
export function muteConsole(method: 'log' | 'info' | 'warn' | 'error'): MockInstance<Console['log']> {
  // The four share one signature.
  return vi.spyOn(console, method as 'log').mockImplementation(() => undefined);
}

/**
 * Replaces `fetch` (until `vi.unstubAllGlobals()`) with one that never answers, and returns the
 * signals of the requests made, in order: for examples that must give up on a silent service.
 */
export function stubSilentFetch(): AbortSignal[] {
  const requests: AbortSignal[] = [];
  vi.stubGlobal('fetch', (_url: string, init: RequestInit) => {
    requests.push(init.signal!);
    return new Promise(() => {});
  });
  return requests;
}
