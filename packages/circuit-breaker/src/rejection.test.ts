import { CircuitOpenError } from '@cemaf/core';
import { types } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { flush } from '../test/helpers.js';
import { halfOpen } from './circuit.js';
import { rejectSoon, rejection, withoutStack } from './rejection.js';

const original = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit')!;

afterEach(() => {
  Object.defineProperty(Error, 'stackTraceLimit', original);
});

describe('rejection', () => {
  it('is a real CircuitOpenError, with a stack of one line and Error.stackTraceLimit left alone', () => {
    const error = rejection({ state: 'open', until: 1_250, streak: 1 }, 1_000);
    expect(types.isNativeError(error)).toBe(true);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error).toMatchObject({ name: 'CircuitOpenError', code: 'CIRCUIT_OPEN', retryAfter: 250, isolated: false });
    expect(error.message).toBe('Circuit is open, so the call was not made; a trial call is allowed in 250 ms (retryAfter)');
    expect(error.stack).toBe(`CircuitOpenError: ${error.message}`);
    expect(Error.stackTraceLimit).toBe(original.value);
  });

  it('says when every trial slot is taken, and when the circuit is isolated', () => {
    expect(rejection(halfOpen(1), 0)).toMatchObject({
      retryAfter: 0,
      isolated: false,
      message: 'Circuit is half-open with every trial slot taken, so the call was not made; retry once a trial ends',
    });
    expect(rejection({ state: 'isolated', holds: 1 }, 0)).toMatchObject({ isolated: true, retryAfter: Infinity });
  });
});

describe('withoutStack', () => {
  it('puts Error.stackTraceLimit back even when making the error throws', () => {
    expect(() =>
      withoutStack(() => {
        throw new Error('no');
      }),
    ).toThrow('no');
    expect(Error.stackTraceLimit).toBe(original.value);
  });

  it('pays for a full stack where Error.stackTraceLimit cannot be written', () => {
    Object.defineProperty(Error, 'stackTraceLimit', { value: 10, writable: false, configurable: true });
    const error = withoutStack(() => new Error('full'));
    expect(error.stack!.split('\n').length).toBeGreaterThan(1);
    expect(Error.stackTraceLimit).toBe(10);
  });

  it('leaves engines without Error.stackTraceLimit without one', () => {
    delete (Error as { stackTraceLimit?: number }).stackTraceLimit;
    expect(withoutStack(() => new Error('plain')).message).toBe('plain');
    expect('stackTraceLimit' in Error).toBe(false);
  });
});

describe('rejectSoon', () => {
  it('is still reported as an unhandled rejection when nothing handles it', async () => {
    // The test runner's own listeners would fail the run: they step aside for this one.
    const runner = process.listeners('unhandledRejection');
    process.removeAllListeners('unhandledRejection');
    const reported: unknown[] = [];
    process.on('unhandledRejection', (reason) => reported.push(reason));
    try {
      const error = new Error('nobody listens');
      void rejectSoon(error);
      await flush();
      expect(reported).toEqual([error]);
    } finally {
      process.removeAllListeners('unhandledRejection');
      for (const listener of runner) process.on('unhandledRejection', listener);
    }
  });


  it('rejects with the error once the caller has attached its handlers', async () => {
    const error = new Error('turned away');
    const promise = rejectSoon(error);
    let settled = false;
    promise.catch(() => (settled = true));
    expect(settled).toBe(false);
    await expect(promise).rejects.toBe(error);
    expect(settled).toBe(true);
  });
});
