// Writes a TypeScript module from a Lua script: the script without comments or indentation, and
// its SHA1, so that a package needs no crypto at run time (createScriptRunner sends EVALSHA with
// it). Used by every cemaf package that runs a script in Redis:
//
//   node ../redis-client/scripts/embed-lua.mjs <script.lua> <module.ts> <exportName> "<what it is>" [--check]
//
// With --check (run by each package's tests), it writes nothing and fails while the module and
// the Lua disagree.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';

const args = process.argv.slice(2);
const check = args.includes('--check');
const [source, target, exportName, description] = args.filter((arg) => arg !== '--check');
if (source === undefined || target === undefined || exportName === undefined || description === undefined) {
  console.error('usage: embed-lua.mjs <script.lua> <module.ts> <exportName> "<what it is>" [--check]');
  process.exit(2);
}

const script = readFileSync(resolve(source), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('--'))
  .join('\n');
const sha = createHash('sha1').update(script).digest('hex');
const generated = `// Generated from ${basename(source)} by @cemaf/redis-client's scripts/embed-lua.mjs: do not edit.
import type { RedisScript } from '@cemaf/redis-client';

/** ${description} (see ${basename(source)}) and its SHA1. */
export const ${exportName}: RedisScript = {
  lua: ${JSON.stringify(script)},
  sha: '${sha}',
};
`;

if (check) {
  if (readFileSync(resolve(target), 'utf8') !== generated) {
    console.error(`${target} is out of date: run pnpm embed`);
    process.exit(1);
  }
} else {
  writeFileSync(resolve(target), generated);
}
