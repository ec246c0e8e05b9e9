import { RateLimiter } from '@cemaf/rate-limiter';

// Deno, Bun and edge workers: decide at once in a fetch handler, and answer 429 with the
// standard RateLimit headers. A token bucket lets a client burst 20 requests, then 5 a second.
const limiter = new RateLimiter({ algorithm: 'token-bucket', maxCalls: 5, timeWindow: 1_000, burst: 20 });

export async function handle(request: Request, next: (request: Request) => Promise<Response>): Promise<Response> {
  const decision = limiter.tryAcquire({ key: request.headers.get('x-api-key') ?? 'anonymous' });
  const headers = limiter.toHeaders(decision, { name: 'per-key' });
  if (!decision.allowed) return new Response('Too many requests', { status: 429, headers });
  const response = await next(request);
  const limited = new Response(response.body, response);
  for (const [name, value] of Object.entries(headers)) limited.headers.set(name, value);
  return limited;
}
