import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone.js';
import utc from 'dayjs/plugin/utc.js';

let extended = false;
/** dayjs plugins are registered on first use, not at import time. */
function zoned(date: Date | string, zone: string): dayjs.Dayjs {
  if (!extended) {
    dayjs.extend(utc);
    dayjs.extend(timezone);
    extended = true;
  }
  return dayjs(date).tz(zone);
}

/** A moment as people in the configured time zone read it: `Sun 29 Nov 2026, 09:00 Europe/Paris`. */
export function formatLocalTime(date: Date | string, zone: string): string {
  return `${zoned(date, zone).format('ddd D MMM YYYY, HH:mm')} ${zone}`;
}

/** The day of a moment in the configured time zone: `Sunday 29 November 2026`. */
export function formatLocalDay(date: Date | string, zone: string): string {
  return zoned(date, zone).format('dddd D MMMM YYYY');
}

/** True when `zone` is an IANA time zone this runtime knows (`UTC`, `Europe/Paris`). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
