/**
 * Dates as QuickBooks Online puts them on the wire: ISO 8601 in the company's local time with its offset
 * ("2015-07-24T10:33:39-07:00"), entity times to the second, the response `time` to the millisecond. The fake's
 * companies all sit in US Pacific time (-08:00, -07:00 under daylight saving), as the sandbox companies do, so a
 * client that reads only the digits, or assumes UTC, gets a different instant and fails.
 */

const HOUR = 3_600_000;

/** The nth Sunday (1-based) of a month, as a UTC day-of-month. */
function nthSunday(year: number, month: number, n: number): number {
  const firstDay = new Date(Date.UTC(year, month, 1)).getUTCDay();
  return 1 + ((7 - firstDay) % 7) + 7 * (n - 1);
}

const dstBounds = new Map<number, readonly [number, number]>();

/** Minutes east of UTC in US Pacific time at an instant: -420 under daylight saving (since 2007 rules), else -480. */
export function pacificOffsetMinutes(ms: number): number {
  const year = new Date(ms - 8 * HOUR).getUTCFullYear();
  let bounds = dstBounds.get(year);
  if (!bounds) {
    // Daylight saving starts on the second Sunday of March at 02:00 PST (10:00 UTC) and ends on the first Sunday
    // of November at 02:00 PDT (09:00 UTC).
    bounds = [Date.UTC(year, 2, nthSunday(year, 2, 2), 10), Date.UTC(year, 10, nthSunday(year, 10, 1), 9)];
    dstBounds.set(year, bounds);
  }
  return ms >= bounds[0] && ms < bounds[1] ? -420 : -480;
}

function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** An entity time as QBO renders it: to the second, local time with offset. */
export function formatQboDateTime(ms: number): string {
  const offset = pacificOffsetMinutes(ms);
  return new Date(ms + offset * 60_000).toISOString().slice(0, 19) + (offset === -420 ? '-07:00' : '-08:00');
}

/** The response `time` field: to the millisecond, local time with offset ("2015-12-23T12:56:06.196-08:00"). */
export function formatQboResponseTime(ms: number): string {
  const offset = pacificOffsetMinutes(ms);
  return new Date(ms + offset * 60_000).toISOString().slice(0, 23) + offsetText(offset);
}

/** The instant QBO shows for an entity time: its milliseconds dropped, as on the wire. */
export function wireSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses a date or date-time as QBO accepts it in queries and in CDC's changedSince: `YYYY-MM-DD`, with an optional
 * time, optional fraction and optional offset (`Z`, `±HH:MM` or `±HHMM`). Without an offset the value is company
 * local time (Pacific). Returns epoch ms, or undefined when it is not a date.
 */
export function parseQboDateTime(text: string): number | undefined {
  const m = DATE_TIME.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const year = Number(y);
  const month = Number(mo) - 1;
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month > 11 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  const local = Date.UTC(year, month, day, hour, minute, second, millis);
  const check = new Date(local);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month) return undefined;
  if (zone === undefined) {
    // Company local time: find the offset in force at that local time (the guess with standard time settles it,
    // except inside the repeated or skipped hour, where either reading is acceptable).
    const guess = local + 480 * 60_000;
    return local - pacificOffsetMinutes(guess) * 60_000;
  }
  if (zone.toUpperCase() === 'Z') return local;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
  return local - offset * 60_000;
}
