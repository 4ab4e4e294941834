/** When a schedule fires, in local wall-clock terms: times of day and a test of the day (read from a cron expression). */
export interface WallSchedule {
  seconds: readonly number[];
  minutes: readonly number[];
  hours: readonly number[];
  /** Whether the schedule fires on this local calendar day (month 1–12). */
  firesOn(year: number, month: number, day: number): boolean;
}

const DAY_MS = 86_400_000;
// A day-of-month and weekday pair such as 29 February on a Monday recurs only every 28 years.
const SEARCH_DAYS = 366 * 29;

/**
 * The first instant after `after` at which the clock of `zone` reads a scheduled time or later.
 *
 * So a time the clock skips in spring (02:30 when it jumps from 02:00 to 03:00) runs when the jump lands (03:00),
 * and a time it shows twice in autumn runs once, at its first showing.
 */
export function findNextRun(schedule: WallSchedule, zone: string, after: Date): Date {
  const afterMs = after.getTime();
  const [hours, minutes, seconds] = [schedule.hours, schedule.minutes, schedule.seconds].map((values) =>
    [...new Set(values)].sort((a, b) => a - b),
  ) as [number[], number[], number[]];
  // Every time of day up to the clock's reading at `after` was first reached at `after` or before: it is past.
  const shown = readWallClock(afterMs, zone);
  const firstDay = Math.floor(shown / DAY_MS);
  for (let dayIndex = firstDay; dayIndex < firstDay + SEARCH_DAYS; dayIndex += 1) {
    const day = new Date(dayIndex * DAY_MS);
    if (!schedule.firesOn(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate())) continue;
    for (const hour of hours) {
      if (dayIndex * DAY_MS + (hour + 1) * 3_600_000 <= shown) continue;
      for (const minute of minutes) {
        for (const second of seconds) {
          const wall = dayIndex * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000;
          if (wall <= shown) continue;
          const at = findFirstReading(wall, zone);
          // Only in an autumn overlap can a later time of day have been reached already (in its first showing).
          if (at > afterMs) return new Date(at);
        }
      }
    }
  }
  throw new Error(`the schedule never fires in the ${SEARCH_DAYS / 366} years after ${after.toISOString()}`);
}

// The first instant at which the clock of `zone` reads `wall` (local time written as UTC milliseconds) or later:
// the first showing of a time shown twice, the end of the jump for a time the clock skips.
function findFirstReading(wall: number, zone: string): number {
  // Offsets a day either side: no zone changes its offset twice within two days.
  const before = readOffset(wall - DAY_MS, zone);
  const after = readOffset(wall + DAY_MS, zone);
  const showings = [wall - before, wall - after].filter((at) => readWallClock(at, zone) === wall);
  if (showings.length > 0) return Math.min(...showings);
  if (after <= before) return wall - after;
  // Skipped: the clock reads less than `wall` before the jump and more after it, so the jump is found by bisection.
  let low = wall - after;
  let high = wall - before;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (readWallClock(middle, zone) >= wall) high = middle;
    else low = middle;
  }
  return high;
}

/** What the clock of `zone` reads at instant `at`, written as UTC milliseconds (so 02:30 local is 02:30Z). */
function readWallClock(at: number, zone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(at)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  const millis = ((at % 1000) + 1000) % 1000;
  return Date.UTC(parts.year!, parts.month! - 1, parts.day, parts.hour! % 24, parts.minute, parts.second) + millis;
}

function readOffset(at: number, zone: string): number {
  return readWallClock(at, zone) - at;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}
