import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { parseRetryAfter } from './parse-retry-after.js';

const NOW = Date.UTC(2015, 9, 21, 7, 28, 0); // Wed, 21 Oct 2015 07:28:00 GMT

describe('parseRetryAfter', () => {
  it.each([
    ['0', 0],
    ['1', 1_000],
    ['120', 120_000],
    [' 5 ', 5_000],
    ['007', 7_000],
  ])('reads delay-seconds %j as %d ms', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it.each([
    ['Wed, 21 Oct 2015 07:28:30 GMT', 30_000],
    ['Thu, 22 Oct 2015 07:28:00 GMT', 86_400_000],
    ['wed, 21 oct 2015 07:29:00 gmt', 60_000],
    ['Wednesday, 21-Oct-15 07:28:05 GMT', 5_000],
    ['Wed Oct 21 07:28:10 2015', 10_000],
    ['Thu Oct  1 00:00:00 2015', 0],
    ['Sat, 29 Feb 2020 00:00:00 GMT', Date.UTC(2020, 1, 29) - NOW],
    ['Tue, 31 Dec 2999 23:59:60 GMT', Date.UTC(2999, 11, 31, 23, 59, 59) + 1_000 - NOW],
  ])('reads the HTTP-date %j as %d ms from now', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it('gives 0 for a date in the past', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:59 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', NOW)).toBe(0);
  });

  it('reads a two-digit year more than 50 years ahead as the past century', () => {
    // From 2015: "65" is 2065 (50 years ahead), "66" is 1966.
    expect(parseRetryAfter('Wednesday, 21-Oct-65 07:28:00 GMT', NOW)).toBe(Date.UTC(2065, 9, 21, 7, 28) - NOW);
    expect(parseRetryAfter('Thursday, 21-Oct-66 07:28:00 GMT', NOW)).toBe(0);
  });

  it.each([
    [undefined],
    [null],
    [''],
    ['   '],
    ['-1'],
    ['1.5'],
    ['1e3'],
    ['0x10'],
    ['soon'],
    ['120 seconds'],
    ['Wed, 21 Oct 2015 07:28:00'], // no GMT
    ['Wed, 21 Oct 2015 07:28:00 UTC'],
    ['2015-10-21T07:28:00Z'], // ISO 8601 is not an HTTP-date
    ['Wed, 31 Apr 2015 07:28:00 GMT'],
    ['Wed, 29 Feb 2015 07:28:00 GMT'],
    ['Wed, 00 Oct 2015 07:28:00 GMT'],
    ['Wed, 21 Foo 2015 07:28:00 GMT'],
    ['Wed, 21 Anf 2015 07:28:00 GMT'],
    ['Wed, 21 Oct 2015 24:00:00 GMT'],
    ['Wed, 21 Oct 2015 07:60:00 GMT'],
    ['Wed, 21 Oct 2015 07:28:61 GMT'],
    ['Xyz, 21 Oct 2015 07:28:00 GMT'],
    ['Wed, 1 Oct 2015 07:28:00 GMT'],
    [5 as never],
  ])('gives undefined for %j', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });

  it('counts a date from Date.now() by default', () => {
    vi.spyOn(Date, 'now').mockReturnValue(NOW);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:42 GMT')).toBe(42_000);
  });

  it('refuses a now that is not a finite number', () => {
    expect(() => parseRetryAfter('1', Number.NaN)).toThrow(new RangeError('parseRetryAfter: now must be a finite number, got NaN'));
    expect(() => parseRetryAfter('1', '0' as never)).toThrow(new TypeError('parseRetryAfter: now must be a finite number, got "0"'));
  });

  it('reads every IMF-fixdate as Date.toUTCString() writes it (property test)', () => {
    const dates = fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(9999, 11, 31) }).map((ms) => ms - (ms % 1_000));
    const now = fc.integer({ min: 0, max: Date.UTC(9999, 11, 31) });
    fc.assert(
      fc.property(dates, now, (date, at) => {
        const header = new Date(date).toUTCString();
        expect(parseRetryAfter(header, at)).toBe(Math.max(0, date - at));
      }),
      { numRuns: 500 },
    );
  });

  it('reads every delay-seconds value (property test)', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1e9 }), (seconds) => parseRetryAfter(String(seconds), NOW) === seconds * 1_000),
    );
  });
});
