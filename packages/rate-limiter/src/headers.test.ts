import { describe, expect, it } from 'vitest';
import { rateLimitHeaders, type RateLimitDecision } from './headers.js';

const granted: RateLimitDecision = { allowed: true, limit: 100, remaining: 42, retryAfter: 0, resetAfter: 16_200 };
const refused: RateLimitDecision = { allowed: false, limit: 100, remaining: 0, retryAfter: 2_001, resetAfter: 30_000 };

describe('rateLimitHeaders', () => {
  it('writes RateLimit-Policy and RateLimit as the draft says, seconds rounded up', () => {
    expect(rateLimitHeaders(granted, { window: 60_000 })).toEqual({
      'RateLimit-Policy': '"default";q=100;w=60',
      RateLimit: '"default";r=42;t=17',
    });
  });

  it('adds Retry-After on a refusal, and makes t the same wait so that they agree', () => {
    expect(rateLimitHeaders(refused, { window: 60_000 })).toEqual({
      'RateLimit-Policy': '"default";q=100;w=60',
      RateLimit: '"default";r=0;t=3',
      'Retry-After': '3',
    });
  });

  it('leaves the window out when it is not known, and never writes w=0', () => {
    expect(rateLimitHeaders(granted)['RateLimit-Policy']).toBe('"default";q=100');
    expect(rateLimitHeaders(granted, { window: 250 })['RateLimit-Policy']).toBe('"default";q=100;w=1');
  });

  it('names the policy, escaping it as a structured-field string', () => {
    expect(rateLimitHeaders(granted, { name: 'per "user" \\ day' })).toEqual({
      'RateLimit-Policy': '"per \\"user\\" \\\\ day";q=100',
      RateLimit: '"per \\"user\\" \\\\ day";r=42;t=17',
    });
  });

  it('refuses a name a structured-field string cannot hold', () => {
    expect(() => rateLimitHeaders(granted, { name: 'caf\u00e9' })).toThrow(
      new RangeError('toHeaders: name must be a string of printable ASCII, got "caf\u00e9"'),
    );
    expect(() => rateLimitHeaders(granted, { name: 7 as never })).toThrow(TypeError);
  });

  it('writes the older RateLimit-Limit / -Remaining / -Reset trio on request', () => {
    expect(rateLimitHeaders(granted, { legacy: true, window: 60_000 })).toEqual({
      'RateLimit-Limit': '100',
      'RateLimit-Remaining': '42',
      'RateLimit-Reset': '17',
    });
    expect(rateLimitHeaders(refused, { legacy: true })).toEqual({
      'RateLimit-Limit': '100',
      'RateLimit-Remaining': '0',
      'RateLimit-Reset': '30',
      'Retry-After': '3',
    });
  });

  it('gives values that Headers and node:http accept as they are', () => {
    const headers = new Headers(rateLimitHeaders(refused, { window: 1_000 }));
    expect(headers.get('ratelimit')).toBe('"default";r=0;t=3');
    expect(headers.get('retry-after')).toBe('3');
  });
});
