import { spawnSync } from 'node:child_process';

export interface SystemProgram {
  /** Whether the program can be run. */
  readonly available: boolean;
  /** Why a suite that needs it is skipped (printed loudly), or undefined when it is available. */
  readonly skipReason: string | undefined;
}

/**
 * Finds a system program that a test suite needs (`redis-server`, `chromium`). Without it, the
 * suite is skipped with a loud line naming the Debian package; under `CI=true` a missing program
 * throws instead, so CI never passes by skipping.
 */
export function systemProgram(command: string, debianPackage: string): SystemProgram {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  if (found.status === 0) return { available: true, skipReason: undefined };
  const message = `${command} was not found: install the Debian package "${debianPackage}" (apt-get install ${debianPackage}) to run this suite.`;
  if (process.env.CI === 'true') throw new Error(`${message} CI=true, so this is a failure, not a skip.`);
  console.warn(`\n${'!'.repeat(100)}\nSKIPPED: ${message}\n${'!'.repeat(100)}\n`);
  return { available: false, skipReason: message };
}
