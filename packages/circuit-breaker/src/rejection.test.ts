import { CircuitOpenError } from '@cemaf/core';
import { types } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { rejectSoon, rejection } from './rejection.js';

const original = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit')!;

afterEach(() => {
  Object.defineProperty(Error, 'stackTraceLimit', original);
});

describe('rejection', () => {
  it('is a real CircuitOpenError, with a stack of one line and Error.stackTraceLimit left alone', () => {
    const error = rejection(250, false);
    expect(types.isNativeError(error)).toBe(true);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error).toMatchObject({ name: 'CircuitOpenError', code: 'CIRCUIT_OPEN', retryAfter: 250, isolated: false });
    expect(error.stack).toBe(`CircuitOpenError: ${error.message}`);
    expect(Error.stackTraceLimit).toBe(original.value);
  });

  it('takes a message of its own', () => {
    expect(rejection(0, false, 'trial slots are taken').message).toBe('trial slots are taken');
    expect(rejection(Infinity, true)).toMatchObject({ isolated: true, retryAfter: Infinity });
  });

  it('pays for a full stack where Error.stackTraceLimit cannot be written', () => {
    Object.defineProperty(Error, 'stackTraceLimit', { value: 10, writable: false, configurable: true });
    const error = rejection(1, false);
    expect(error.stack!.split('\n').length).toBeGreaterThan(1);
    expect(Error.stackTraceLimit).toBe(10);
  });

  it('leaves engines without Error.stackTraceLimit without one', () => {
    delete (Error as { stackTraceLimit?: number }).stackTraceLimit;
    const error = rejection(1, false);
    expect(error.code).toBe('CIRCUIT_OPEN');
    expect('stackTraceLimit' in Error).toBe(false);
  });
});

describe('rejectSoon', () => {
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
