import type { ChildProcess } from 'node:child_process';
import { bundledScript, forkChild } from '@cemaf/test-utils/child-processes';
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
  readonly storeTimeout?: number;
}

export type ToChild =
  | { type: 'start'; url: string; client: 'ioredis' | 'node-redis'; name: string; options: ChildOptions }
  | { type: 'service'; mode: ServiceMode }
  | { type: 'run'; at: number; every: number }
  | { type: 'stop' }
  | { type: 'quit' };
export type FromChild = { type: 'ready' } | { type: 'trial-started'; at: number } | { type: 'report'; report: Report };

export { killChildren, wallNow } from '@cemaf/test-utils/child-processes';

const childScript = bundledScript(new URL('./children/worker.ts', import.meta.url));

/** One child process with a RedisCircuitBreaker. */
export class Child {
  readonly process: ChildProcess;
  readonly #listeners = new Set<(message: FromChild) => void>();
  readonly exited: Promise<void>;

  constructor(script: string) {
    const child = forkChild(script);
    this.process = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
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
