import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { RESULT_MARKER, statusOf, type CheckResult, type RuntimeRun } from './results.js';

/** A run that has not printed its results by then has hung. */
const RUN_TIMEOUT_MS = 120_000;
/** Once its results are out, a runtime must exit by itself: a timer left armed would keep it alive. */
const EXIT_TIMEOUT_MS = 5_000;

export interface ProcessRun {
  readonly label: string;
  readonly binary: string;
  readonly args: readonly string[];
  readonly mode: 'import' | 'require';
  readonly modules: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** This package's folder: the entry resolves the packages from its node_modules. */
  readonly cwd: string;
}

function childEnvironment(extra: Readonly<Record<string, string>> | undefined): NodeJS.ProcessEnv {
  // Flags meant for this Node may not exist in another version.
  const { NODE_OPTIONS: _nodeOptions, ...env } = process.env;
  return { ...env, ...extra };
}

/** Runs smoke/entry.js in one runtime and collects its results. */
export function runProcess(run: ProcessRun): Promise<RuntimeRun> {
  const started = performance.now();
  const entry = join(run.cwd, 'smoke', 'entry.js');
  const child = spawn(run.binary, [...run.args, entry, run.mode, ...run.modules], {
    cwd: run.cwd,
    env: childEnvironment(run.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let parsed: { runtime: string; results: CheckResult[] } | undefined;
  let exitTimer: ReturnType<typeof setTimeout> | undefined;
  let keptAlive = false;

  return new Promise((resolve) => {
    const overall = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((text) => text.startsWith(RESULT_MARKER));
      if (parsed === undefined && line !== undefined && stdout.includes('\n', stdout.indexOf(RESULT_MARKER))) {
        parsed = JSON.parse(line.slice(RESULT_MARKER.length)) as typeof parsed;
        exitTimer = setTimeout(() => {
          keptAlive = true;
          child.kill('SIGKILL');
        }, EXIT_TIMEOUT_MS);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const finish = (code: number | null, error?: Error) => {
      clearTimeout(overall);
      clearTimeout(exitTimer);
      const seconds = (performance.now() - started) / 1000;
      const output = `${stderr}${stdout
        .split('\n')
        .filter((text) => !text.startsWith(RESULT_MARKER))
        .join('\n')}`.trim();
      if (parsed === undefined) {
        const why =
          error?.message ??
          (code === null
            ? `killed after ${RUN_TIMEOUT_MS / 1000} s without results`
            : `exited with code ${code} without results`);
        const results = [
          { module: 'runtime', check: 'prints its results', ok: false, error: `${why}\n${output}`.trim(), ms: 0 },
        ];
        resolve({ label: run.label, version: '?', status: 'failed', results, seconds });
        return;
      }
      const exit: CheckResult = keptAlive
        ? {
            module: 'runtime',
            check: 'exits by itself when done',
            ok: false,
            error: `still running ${EXIT_TIMEOUT_MS / 1000} s after its results: a timer or handle was left behind`,
            ms: 0,
          }
        : code === 0
        ? { module: 'runtime', check: 'exits by itself when done', ok: true, ms: 0 }
        : {
            module: 'runtime',
            check: 'exits by itself when done',
            ok: false,
            error: `exit code ${code}\n${output}`.trim(),
            ms: 0,
          };
      const results = [...parsed.results, exit];
      resolve({
        label: run.label,
        version: parsed.runtime,
        status: statusOf(results),
        results,
        seconds,
        ...(output && { note: output }),
      });
    };
    child.on('error', (error) => finish(null, error));
    child.on('close', (code) => finish(code));
  });
}
