import { TimeoutError } from '@cemaf/core';
import { createServer, request, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isTransientError } from './is-transient-error.js';

const servers: (Server | TcpServer)[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    if ('closeAllConnections' in server) server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function listen<S extends Server | TcpServer>(server: S): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

function netError(port: number, onConnect?: (socket: ReturnType<typeof connect>) => void): Promise<unknown> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => onConnect?.(socket));
    socket.on('error', resolve);
  });
}

describe('isTransientError on errors made for real', () => {
  it('is true for fetch to a closed loopback port (TypeError "fetch failed", cause ECONNREFUSED)', async () => {
    const error = await rejectionOf(fetch(`http://127.0.0.1:${await closedPort()}/`));
    expect(error).toMatchObject({ name: 'TypeError', message: 'fetch failed', cause: { code: 'ECONNREFUSED' } });
    expect(isTransientError(error)).toBe(true);
  });

  it('is true for a refused net connection and a refused http.request', async () => {
    const port = await closedPort();
    const netFailure = await netError(port);
    expect(netFailure).toMatchObject({ code: 'ECONNREFUSED' });
    expect(isTransientError(netFailure)).toBe(true);
    const httpFailure = await new Promise((resolve) => request(`http://127.0.0.1:${port}/`).on('error', resolve).end());
    expect(isTransientError(httpFailure)).toBe(true);
  });

  it('is true for a connection reset by the server', async () => {
    const port = await listen(createTcpServer((socket) => socket.resetAndDestroy()));
    const error = await netError(port, (socket) => socket.write('hello'));
    expect(error).toMatchObject({ code: 'ECONNRESET' });
    expect(isTransientError(error)).toBe(true);
  });

  it('is true for fetch when the server hangs up mid-request (cause UND_ERR_SOCKET)', async () => {
    const port = await listen(createServer((incoming) => incoming.socket.destroy()));
    const error = await rejectionOf(fetch(`http://127.0.0.1:${port}/`));
    expect(error).toMatchObject({ message: 'fetch failed', cause: { code: 'UND_ERR_SOCKET' } });
    expect(isTransientError(error)).toBe(true);
  });

  it('is true for a fetch that AbortSignal.timeout() ended (DOMException TimeoutError)', async () => {
    const port = await listen(createServer(() => undefined)); // never answers
    const error = await rejectionOf(fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5) }));
    expect(error).toMatchObject({ name: 'TimeoutError' });
    expect(isTransientError(error)).toBe(true);
  });

  it("is false for a fetch the caller aborted (AbortError), before or during the request", async () => {
    const port = await listen(createServer(() => undefined));
    const before = await rejectionOf(fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.abort() }));
    expect(before).toMatchObject({ name: 'AbortError' });
    expect(isTransientError(before)).toBe(false);
    const controller = new AbortController();
    const pending = rejectionOf(fetch(`http://127.0.0.1:${port}/`, { signal: controller.signal }));
    controller.abort();
    const during = await pending;
    expect(during).toMatchObject({ name: 'AbortError' });
    expect(isTransientError(during)).toBe(false);
  });

  it('is false for fetch failures that a retry will not fix', async () => {
    const invalidUrl = await rejectionOf(fetch('http://exa mple.com/'));
    expect(invalidUrl).toBeInstanceOf(TypeError);
    expect(isTransientError(invalidUrl)).toBe(false);
    const port = await listen(createTcpServer((socket) => socket.on('data', () => socket.end('HTTP/1.1 abc\r\n\r\n'))));
    const garbled = await rejectionOf(fetch(`http://127.0.0.1:${port}/`));
    expect(garbled).toMatchObject({ message: 'fetch failed', cause: { code: 'HPE_INVALID_STATUS' } });
    expect(isTransientError(garbled)).toBe(false);
  });

  it("is true for cemaf's TimeoutError", () => {
    expect(isTransientError(new TimeoutError({ timeout: 100 }))).toBe(true);
    expect(isTransientError({ code: 'TIMEOUT' })).toBe(true);
  });
});

describe('isTransientError on known shapes', () => {
  it.each([
    'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH',
    'ENETDOWN', 'EHOSTUNREACH', 'EHOSTDOWN', 'ERR_SOCKET_CONNECTION_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT',
    'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_SOCKET', 'ConnectionRefused', 'ConnectionClosed',
    'FailedToOpenSocket',
  ])('is true for an error with code %s', (code) => {
    expect(isTransientError(Object.assign(new Error(code), { code }))).toBe(true);
  });

  it.each([
    'Failed to fetch',
    'NetworkError when attempting to fetch resource.',
    'Load failed',
    'Network request failed',
    'error sending request for url (http://127.0.0.1:1/): client error (Connect)',
  ])('is true for the browser and Deno fetch failure TypeError(%j)', (message) => {
    expect(isTransientError(new TypeError(message))).toBe(true);
  });

  it('is true for a DOMException TimeoutError and an AggregateError of refused connections', () => {
    expect(isTransientError(new DOMException('signal timed out', 'TimeoutError'))).toBe(true);
    const aggregate = Object.assign(new AggregateError([new Error('a'), new Error('b')]), { code: 'ECONNREFUSED' });
    expect(isTransientError(new TypeError('fetch failed', { cause: aggregate }))).toBe(true);
  });

  it.each<[string, unknown]>([
    ['an AbortError', new DOMException('aborted', 'AbortError')],
    ['a plain Error', new Error('boom')],
    ['a programming TypeError', new TypeError('x is not a function')],
    ['fetch failed with no cause', new TypeError('fetch failed')],
    ['fetch failed with a certificate error', new TypeError('fetch failed', { cause: Object.assign(new Error('cert'), { code: 'CERT_HAS_EXPIRED' }) })],
    ['an error with an unknown code', Object.assign(new Error('x'), { code: 'ENOENT' })],
    ['a wrapped transient error that is not a fetch failure', new Error('query failed', { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) })],
    ['a string', 'ECONNRESET'],
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
  ])('is false for %s', (_, error) => {
    expect(isTransientError(error)).toBe(false);
  });

  it('ends on a cause chain that loops', () => {
    const a = new TypeError('fetch failed');
    const b = new TypeError('fetch failed', { cause: a });
    Object.defineProperty(a, 'cause', { value: b });
    expect(isTransientError(a)).toBe(false);
  });
});
