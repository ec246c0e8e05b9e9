import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { systemProgram } from './system-program.js';

/** Flags for Debian's Chromium here and in CI (TOOLCHAIN.md): headless, offline but for 127.0.0.1. */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
];

/**
 * The Chromium to launch: `CHROMIUM_PATH`, or `chromium` on the PATH. Without it a suite is
 * skipped loudly, or fails under `CI=true` (the system-program rule).
 */
export function findChromium(): { path: string } | { skip: string } {
  const override = process.env['CHROMIUM_PATH'];
  if (override) {
    if (!existsSync(override)) throw new Error(`CHROMIUM_PATH is ${override}, which does not exist`);
    return { path: override };
  }
  const program = systemProgram('chromium', 'chromium');
  if (!program.available) return { skip: program.skipReason ?? 'chromium was not found' };
  return { path: spawnSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).stdout.trim() };
}
