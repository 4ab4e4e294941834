/**
 * The value at percentile `p` (0–100) of a list, or null for an empty list: the element at ⌊p/100 · n⌋ of the
 * sorted list (the largest for p = 100). The bench and the soak report latencies with this one definition.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
