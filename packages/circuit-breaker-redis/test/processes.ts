import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { CircuitState } from '../src/index.js';

/** How the service behind every child's breaker behaves. */
export type ServiceMode = 'ok' | 'down' | 'slow' | 'hang';

/** What a child saw, in wall-clock ms. */
export interface Report {
  /** Calls whose fn failed. */
  failures: number[];
  /** Calls turned away with CircuitOpenError. */
  rejections: { at: number; retryAfter: number }[];
  successes: number[];
  /** Every time fn was called, with the state the breaker read then. */
  starts: { at: number; state: CircuitState }[];
  changes: { at: number; from: CircuitState; to: CircuitState }[];
  fallbacks: number;
  errors: string[];
}

/** The options a child's breaker gets (besides redis and name): plain data. */
export interface ChildOptions {
  readonly failureThreshold?: number;
  readonly resetTimeout?: number;
  readonly halfOpenMaxCalls?: number;
  readonly successThreshold?: number;
  readonly leaseTime?: number;
  readonly flushInterval?: number;
}

export type ToChild =
  | { type: 'start'; url: string; client: 'ioredis' | 'node-redis'; name: string; options: ChildOptions }
  | { type: 'service'; mode: ServiceMode }
  | { type: 'run'; at: number; every: number }
  | { type: 'stop' }
  | { type: 'quit' };
export type FromChild = { type: 'ready' } | { type: 'trial-started'; at: number } | { type: 'report'; report: Report };

let bundled: Promise<string> | undefined;
/**
 * The child script, bundled once per test file with its clients (Node 20 cannot run TypeScript
 * itself, and one file loads faster on a busy machine). Removed when this process exits.
 */
function childScript(): Promise<string> {
  bundled ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cemaf-breaker-children-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const outfile = join(dir, 'worker.cjs');
    await build({
      entryPoints: [fileURLToPath(new URL('./children/worker.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node18',
      outfile,
      logLevel: 'warning',
    });
    return outfile;
  })();
  return bundled;
}

const running = new Set<ChildProcess>();

/** Kills every child still running (teardown, also after a failed test). */
export function killChildren(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** Real wall-clock ms, as the children measure it. */
export const wallNow = (): number => performance.timeOrigin + performance.now();

/** One child process with a RedisCircuitBreaker. */
export class Child {
  readonly process: ChildProcess;
  readonly #listeners = new Set<(message: FromChild) => void>();
  readonly exited: Promise<void>;

  constructor(script: string) {
    const child = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    this.process = child;
    running.add(child);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.exited.then(() => running.delete(child));
    child.on('message', (message: FromChild) => {
      for (const listener of this.#listeners) listener(message);
    });
  }

  /** Starts `count` children, each with its breaker ready on the circuit. */
  static async start(count: number, start: (index: number) => Extract<ToChild, { type: 'start' }>): Promise<Child[]> {
    const script = await childScript();
    const children = Array.from({ length: count }, () => new Child(script));
    await Promise.all(children.map((child, index) => child.ask(start(index), 'ready')));
    return children;
  }

  send(message: ToChild): void {
    this.process.send(message);
  }

  /** Calls `listener` with every message from now on; returns what stops it. */
  on(listener: (message: FromChild) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Sends `message` (if any) and resolves with the next message of type `type`. */
  ask<T extends FromChild['type']>(message: ToChild | undefined, type: T): Promise<Extract<FromChild, { type: T }>> {
    const answer = new Promise<Extract<FromChild, { type: T }>>((resolve, reject) => {
      const stop = this.on((received) => {
        if (received.type !== type) return;
        stop();
        resolve(received as Extract<FromChild, { type: T }>);
      });
      void this.exited.then(() => reject(new Error(`child exited before answering ${type}`)));
    });
    if (message !== undefined) this.send(message);
    return answer;
  }

  async report(): Promise<Report> {
    return (await this.ask({ type: 'stop' }, 'report')).report;
  }

  kill(): void {
    this.process.kill('SIGKILL');
  }

  async quit(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    this.send({ type: 'quit' });
    await this.exited;
  }
}
