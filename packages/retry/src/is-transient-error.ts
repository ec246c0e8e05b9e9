/**
 * Error codes of failures that often pass on their own: Node's system errors, undici's (the
 * `fetch` of Node) socket and timeout errors, and Bun's fetch errors.
 */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'ConnectionRefused',
  'ConnectionClosed',
  'FailedToOpenSocket',
  'TIMEOUT',
]);

/**
 * What `fetch` says when it cannot reach the server: Chromium, Firefox, Safari, then polyfills.
 * Deno's messages start with "error sending request".
 */
const NETWORK_MESSAGES = new Set([
  'Failed to fetch',
  'NetworkError when attempting to fetch resource.',
  'Load failed',
  'Network request failed',
]);

/**
 * Whether `error` is a failure that a retry may well get past: a connection reset, refused or
 * timed out, a DNS lookup that failed, a `fetch` that could not reach the server, or a timeout
 * (cemaf's `TimeoutError`, or the `TimeoutError` of `AbortSignal.timeout()`).
 *
 * It is false for everything else, notably an `AbortError` (the caller cancelled), HTTP error
 * statuses (look at the response with `retryOnResult`) and programming errors.
 *
 * @example
 * const policy = new RetryPolicy({ retryIf: isTransientError });
 */
export function isTransientError(error: unknown): boolean {
  // Bounded: a cause chain may loop.
  for (let depth = 0; depth < 8 && typeof error === 'object' && error !== null; depth++) {
    const { name, message, code, cause } = error as { name?: unknown; message?: unknown; code?: unknown; cause?: unknown };
    if (name === 'TimeoutError' || TRANSIENT_CODES.has(code as string)) return true;
    if (name !== 'TypeError') return false;
    if (NETWORK_MESSAGES.has(message as string) || String(message).startsWith('error sending request')) return true;
    // Node's fetch (undici) throws TypeError('fetch failed') with the real reason as its cause.
    if (message !== 'fetch failed') return false;
    error = cause;
  }
  return false;
}
