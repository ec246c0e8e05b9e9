import { numberOption } from '@cemaf/core/internal';

// The three forms HTTP recipients must accept (RFC 9110, section 5.6.7); literals so that bundlers
// drop them when parseRetryAfter is not imported.
const IMF_FIXDATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d\d) ([a-z]{3}) (\d{4}) (\d\d):(\d\d):(\d\d) GMT$/i;
const RFC_850 = /^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, (\d\d)-([a-z]{3})-(\d\d) (\d\d):(\d\d):(\d\d) GMT$/i;
const ASCTIME = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([a-z]{3}) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\d{4})$/i;
const MONTHS = 'janfebmaraprmayjunjulaugsepoctnovdec';
const DAY_MS = 86_400_000;
const AVERAGE_YEAR_MS = 31_556_952_000; // 365.2425 days

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  return era * 146_097 + yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear - 719_468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Ms since the epoch of a GMT date, or undefined when a field is out of range. */
function utc(year: number, monthName: string, day: number, hour: number, minute: number, second: number): number | undefined {
  const index = MONTHS.indexOf(monthName.toLowerCase());
  if (index % 3 !== 0) return undefined;
  const month = index / 3 + 1;
  if (day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 60) return undefined;
  return daysFromCivil(year, month, day) * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1_000;
}

function parseDate(text: string, now: number): number | undefined {
  let match = IMF_FIXDATE.exec(text);
  if (match) {
    const [, day, month, year, hour, minute, second] = match as unknown as string[];
    return utc(+year!, month!, +day!, +hour!, +minute!, +second!);
  }
  match = ASCTIME.exec(text);
  if (match) {
    const [, month, day, hour, minute, second, year] = match as unknown as string[];
    return utc(+year!, month!, +day!, +hour!, +minute!, +second!);
  }
  match = RFC_850.exec(text);
  if (match) {
    const [, day, month, shortYear, hour, minute, second] = match as unknown as string[];
    // A two-digit year more than 50 years ahead is the most recent past year with those digits.
    const thisYear = 1970 + Math.floor(now / AVERAGE_YEAR_MS);
    let year = thisYear - (thisYear % 100) + +shortYear!;
    if (year - thisYear > 50) year -= 100;
    return utc(year, month!, +day!, +hour!, +minute!, +second!);
  }
  return undefined;
}

/**
 * Reads an HTTP `Retry-After` header value: delay-seconds (`"120"`) or an HTTP-date
 * (`"Wed, 21 Oct 2015 07:28:00 GMT"`, and the two obsolete forms HTTP also allows).
 *
 * @param value The header value, as `response.headers.get('retry-after')` returns it.
 * @param now The wall-clock time to count a date from, in ms since the epoch. @default Date.now()
 * @returns The wait in ms; 0 for a date in the past; `undefined` when the value is missing or
 *   not a valid `Retry-After` (negative or fractional seconds, an unknown date format, a
 *   31st of April...).
 *
 * @example
 * const wait = parseRetryAfter(response.headers.get('retry-after')) ?? 1_000;
 */
// eslint-disable-next-line no-restricted-globals -- Retry-After dates are wall-clock times; this default is the one place that reads one.
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  numberOption('parseRetryAfter', 'now', now, {}, 0);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return +text * 1_000;
  const date = parseDate(text, now);
  return date === undefined ? undefined : Math.max(0, date - now);
}
