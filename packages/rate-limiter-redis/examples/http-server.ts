import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { RedisRateLimiter } from '@cemaf/rate-limiter-redis';

/**
 * Answers 429 Too Many Requests, with RateLimit and Retry-After headers, to a client over its
 * quota, counted over every server behind the load balancer.
 */
export function withRateLimit(limiter: RedisRateLimiter, handle: RequestListener): RequestListener {
  return (request: IncomingMessage, response: ServerResponse) => {
    void limiter.tryAcquire({ key: request.socket.remoteAddress ?? 'unknown' }).then((decision) => {
      for (const [name, value] of Object.entries(limiter.toHeaders(decision))) response.setHeader(name, value);
      if (!decision.allowed) {
        response.writeHead(429, { 'content-type': 'text/plain' }).end('Too many requests, try again later.\n');
        return;
      }
      handle(request, response);
    });
  };
}

// const perClient = new RedisRateLimiter({ redis, prefix: 'per-client:', maxCalls: 100, timeWindow: 60_000 });
// createServer(withRateLimit(perClient, app)).listen(3000);
