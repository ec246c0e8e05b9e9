import { execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { breakerScript } from './breaker-script.js';

describe('the breaker script', () => {
  it('carries the SHA1 of its text, as SCRIPT LOAD would answer', () => {
    expect(createHash('sha1').update(breakerScript.lua).digest('hex')).toBe(breakerScript.sha);
  });

  it('is generated from breaker.lua (run pnpm embed after editing it)', () => {
    // The package's own `embed` command, told to compare instead of writing.
    const folder = new URL('..', import.meta.url);
    const { scripts } = JSON.parse(readFileSync(new URL('package.json', folder), 'utf8')) as { scripts: { embed: string } };
    expect(() => execSync(`${scripts.embed} --check`, { cwd: folder, stdio: 'pipe' })).not.toThrow();
  });
});
