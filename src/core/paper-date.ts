/**
 * The `YYYY-MM-DD` date of a footer's `Mon D[, YYYY]`, or null when no such day exists.
 * A date without a year is the latest such date that is not after the reference date (`YYYY-MM-DD`).
 */
export function resolvePaperDate(month: number, day: number, year: number | null, referenceDate: string): string | null {
  if (year !== null) return isRealDay(year, month, day) ? formatDay(year, month, day) : null;
  const reference = /^(\d{4})-(\d{2})-(\d{2})$/.exec(referenceDate);
  if (!reference) throw new Error(`reference date must be YYYY-MM-DD, got "${referenceDate}"`);
  const refYear = Number(reference[1]);
  const refKey = Number(reference[2]) * 100 + Number(reference[3]);
  // Feb 29 without a year looks back to the last leap year; eight years always reach one.
  for (let y = month * 100 + day > refKey ? refYear - 1 : refYear; y >= refYear - 8; y -= 1) {
    if (isRealDay(y, month, day)) return formatDay(y, month, day);
  }
  return null;
}

function isRealDay(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days;
}

function formatDay(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
