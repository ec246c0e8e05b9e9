import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Download } from './runtimes.js';

const MARKER = 'cemaf-installed.json';

/** npm settings that pnpm exports to scripts and that must not leak into a plain npm install. */
const KEPT_NPM_SETTINGS = new Set(['registry', 'cafile', 'cache', 'proxy', 'https_proxy', 'noproxy', 'strict_ssl']);

function npmEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    const setting = /^npm_config_(.+)$/i.exec(name)?.[1]?.toLowerCase();
    if (setting !== undefined ? KEPT_NPM_SETTINGS.has(setting) : !/^(npm|pnpm)_/i.test(name)) env[name] = value;
  }
  return env;
}

function run(command: string, args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: npmEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

export interface Installed {
  readonly binary: string;
  /** Whether it was fetched by this run (a cold start) rather than found in the cache. */
  readonly fetched: boolean;
  readonly seconds: number;
}

/**
 * Makes sure `download` is installed in `cache/<id>` and returns its binary. An install with
 * the pinned version is reused; another version is replaced. npm installs into a fresh folder
 * that is renamed into place only once the binary runs, so an interrupted install leaves nothing
 * half done behind.
 */
export async function ensureInstalled(cache: string, download: Download): Promise<Installed> {
  const started = performance.now();
  const folder = join(cache, download.id);
  const binary = join(folder, download.binary);
  const marker = await readFile(join(folder, MARKER), 'utf8').catch(() => undefined);
  if (
    marker !== undefined &&
    (JSON.parse(marker) as { version?: string }).version === download.version &&
    existsSync(binary)
  ) {
    return { binary, fetched: false, seconds: 0 };
  }

  const staging = `${folder}.staging-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const pinned = `${download.npmPackage}@${download.version}`;
  const manifest = {
    private: true,
    description: `${pinned} for cemaf's runtime matrix`,
    dependencies: { [download.npmPackage]: download.version },
    // The binary is placed by the package's install script; allow exactly that one.
    allowScripts: { [pinned]: true },
  };
  await writeFile(join(staging, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const install = await run(
    npm,
    ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'],
    staging,
  );
  const installedBinary = join(staging, download.binary);
  if (install.code !== 0 || !existsSync(installedBinary)) {
    await rm(staging, { recursive: true, force: true });
    throw new Error(`npm install ${pinned} failed (exit ${install.code}):\n${install.output.trim()}`);
  }
  const probe = await run(installedBinary, ['--version'], staging);
  if (probe.code !== 0 || !probe.output.includes(download.version)) {
    await rm(staging, { recursive: true, force: true });
    throw new Error(`${pinned} was installed but its binary says: ${probe.output.trim()}`);
  }
  await writeFile(join(staging, MARKER), `${JSON.stringify({ version: download.version })}\n`);
  await rm(folder, { recursive: true, force: true });
  try {
    await rename(staging, folder);
  } catch (error) {
    // Another run installed it meanwhile: use that one.
    await rm(staging, { recursive: true, force: true });
    if (!existsSync(join(folder, MARKER))) throw error;
  }
  return { binary, fetched: true, seconds: (performance.now() - started) / 1000 };
}
