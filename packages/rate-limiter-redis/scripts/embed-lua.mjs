// Writes src/limiter-script.ts from src/limiter.lua: the script without comments or indentation,
// and its SHA1, so that the package needs no crypto at run time. Run `pnpm embed` after editing
// the Lua; `node scripts/embed-lua.mjs --check` (run by a test) fails while the two disagree.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

const source = new URL('../src/limiter.lua', import.meta.url);
const target = new URL('../src/limiter-script.ts', import.meta.url);

const script = readFileSync(source, 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('--'))
  .join('\n');
const sha = createHash('sha1').update(script).digest('hex');
const generated = `// Generated from limiter.lua by scripts/embed-lua.mjs: do not edit.
import type { RedisScript } from './redis-script.js';

/** The rate limiter's Lua script (see limiter.lua) and its SHA1. */
export const limiterScript: RedisScript = {
  lua: ${JSON.stringify(script)},
  sha: '${sha}',
};
`;

if (process.argv.includes('--check')) {
  if (readFileSync(target, 'utf8') !== generated) {
    console.error('src/limiter-script.ts is out of date: run pnpm embed');
    process.exit(1);
  }
} else {
  writeFileSync(target, generated);
}
