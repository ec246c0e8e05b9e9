import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { RateLimiter } from '@cemaf/rate-limiter';

/**
 * Answers 429 Too Many Requests, with RateLimit and Retry-After headers, to a client over its
 * quota; every other response carries the RateLimit headers too.
 */
export function withRateLimit(limiter: RateLimiter, handle: RequestListener): RequestListener {
  return (request: IncomingMessage, response: ServerResponse) => {
    const decision = limiter.tryAcquire({ key: request.socket.remoteAddress ?? 'unknown' });
    for (const [name, value] of Object.entries(limiter.toHeaders(decision))) response.setHeader(name, value);
    if (!decision.allowed) {
      response.writeHead(429, { 'content-type': 'text/plain' }).end('Too many requests, try again later.\n');
      return;
    }
    handle(request, response);
  };
}

// 100 requests a minute per client address, exactly: never more in any 60 seconds.
export const perClient = new RateLimiter({ maxCalls: 100, timeWindow: 60_000 });

export const app: RequestListener = (_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
};

// createServer(withRateLimit(perClient, app)).listen(3000);
