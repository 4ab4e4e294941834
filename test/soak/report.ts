import { readFileSync } from 'node:fs';

/** One row of the soak table: what a scenario did and whether Paperboy kept its promise. */
export interface ScenarioReport {
  scenario: string;
  /** The load or count, in words (`3,000 papers, 300 digests, 100 kills`). */
  load: string;
  /** Faults injected, in words (`5% 5xx, 12 429 storms, ...`). */
  faults: string;
  papersExpected: number | null;
  papersPosted: number | null;
  duplicates: number;
  lost: number;
  /** Anything done, posted or shown for a member of another server (null: the scenario has no strangers). */
  foreignActions?: number | null;
  /** Subscriber × matching paper pairs that were never notified (null: the scenario has no subscribers to count). */
  unpinged?: number | null;
  /** Subscriber × matching paper pairs notified more than once. */
  notifiedTwice?: number | null;
  interactionsSent: number | null;
  interactionsAnswered: number | null;
  p99Ms: number | null;
  peakRssMb: number | null;
  crashes: number;
  /** Why the scenario failed (empty when it kept the promise), or why it was skipped. */
  problems: string[];
  skipped?: string;
  durationMs: number;
}

/** True when the scenario kept every promise (or was skipped for a stated reason). */
export function isPassing(report: ScenarioReport): boolean {
  if (report.skipped !== undefined) return true;
  const counted = [
    report.duplicates,
    report.lost,
    report.crashes,
    report.foreignActions ?? 0,
    report.unpinged ?? 0,
    report.notifiedTwice ?? 0,
  ];
  return report.problems.length === 0 && counted.every((n) => n === 0);
}

/** The soak table as markdown (for the terminal, the issue note and the README). */
export function formatReportTable(reports: readonly ScenarioReport[]): string {
  const header = [
    'scenario',
    'load',
    'faults injected',
    'papers expected',
    'posted',
    'duplicates',
    'lost',
    'foreign actions',
    'unpinged / pinged twice',
    'interactions answered',
    'p99 latency',
    'peak memory',
    'result',
  ];
  const num = (n: number | null) => (n === null ? '–' : n.toLocaleString('en-US'));
  const rows = reports.map((r) => [
    r.scenario,
    r.load,
    r.faults,
    num(r.papersExpected),
    num(r.papersPosted),
    String(r.duplicates),
    String(r.lost),
    num(r.foreignActions ?? null),
    r.unpinged === undefined || r.unpinged === null ? '–' : `${num(r.unpinged)} / ${num(r.notifiedTwice ?? 0)}`,
    r.interactionsSent === null ? '–' : `${num(r.interactionsAnswered)} / ${num(r.interactionsSent)}`,
    r.p99Ms === null ? '–' : `${Math.round(r.p99Ms)} ms`,
    r.peakRssMb === null ? '–' : `${Math.round(r.peakRssMb)} MB`,
    r.skipped ? `skipped: ${r.skipped}` : isPassing(r) ? 'ok' : `FAIL: ${r.problems.join('; ')}`,
  ]);
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** Peak resident memory of a live process in MB (VmHWM), or null once it is gone. */
export function readPeakRssMb(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+)/.exec(status);
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}
