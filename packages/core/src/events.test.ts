import { describe, expect, it, vi } from 'vitest';
import { Emitter } from './events.js';

interface TestEvents {
  ping: { n: number };
  pong: undefined;
}

describe('Emitter', () => {
  it('calls the listeners of an event in the order they were added', () => {
    const events = new Emitter<TestEvents>();
    const heard: string[] = [];
    events.on('ping', ({ n }) => heard.push(`a${n}`));
    events.on('ping', ({ n }) => heard.push(`b${n}`));
    events.on('pong', () => heard.push('pong'));
    events.emit('ping', { n: 1 });
    expect(heard).toEqual(['a1', 'b1']);
  });

  it('stops calling a listener once it is removed, also during an emit', () => {
    const events = new Emitter<TestEvents>();
    const heard: string[] = [];
    const offC = events.on('ping', () => heard.push('a'));
    events.on('ping', () => {
      heard.push('b');
      offD();
    });
    const offD = events.on('ping', () => heard.push('d'));
    events.emit('ping', { n: 1 });
    offC();
    offC();
    events.emit('ping', { n: 2 });
    expect(heard).toEqual(['a', 'b', 'b']);
  });

  it('adds a listener once however often it is added, as EventTarget does', () => {
    const events = new Emitter<TestEvents>();
    const listener = vi.fn();
    events.on('ping', listener);
    const off = events.on('ping', listener);
    events.emit('ping', { n: 1 });
    expect(listener).toHaveBeenCalledTimes(1);
    off();
    events.emit('ping', { n: 2 });
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('reports a listener that throws and still calls the others', () => {
    const events = new Emitter<TestEvents>();
    const report = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const failure = new Error('listener bug');
    const after = vi.fn();
    events.on('ping', () => {
      throw failure;
    });
    events.on('ping', after);
    expect(() => events.emit('ping', { n: 1 })).not.toThrow();
    expect(after).toHaveBeenCalledOnce();
    expect(report).toHaveBeenCalledWith(expect.stringContaining('listener threw'), failure);
  });

  it('reports a listener whose promise rejects, with no unhandled rejection', async () => {
    const events = new Emitter<TestEvents>();
    const report = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const failure = new Error('async listener bug');
    events.on('ping', () => Promise.reject(failure));
    events.emit('ping', { n: 1 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(report).toHaveBeenCalledWith(expect.any(String), failure);
  });

  it('says whether an event has listeners', () => {
    const events = new Emitter<TestEvents>();
    expect(events.has('ping')).toBe(false);
    const off = events.on('ping', () => undefined);
    expect(events.has('ping')).toBe(true);
    expect(events.has('pong')).toBe(false);
    off();
    expect(events.has('ping')).toBe(false);
  });

  it('refuses a listener that is not a function', () => {
    const events = new Emitter<TestEvents>();
    // @ts-expect-error a listener must be a function
    expect(() => events.on('ping', 'nope')).toThrow(new TypeError('on: listener must be a function, got string'));
  });
});
