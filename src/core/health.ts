/** What the running bot reports about itself (the status file next to the state, and `/healthz`). */
export interface HealthStatus {
  pid: number;
  mode: 'discord' | 'console';
  /** Gateway session up (always true in console mode). */
  connected: boolean;
  /** When the bot last wrote this status; a stale heartbeat means the bot is down or hung. */
  heartbeatAt: string;
  startedAt: string;
  nextRunAt: string | null;
  lastRun: { at: string; outcome: string; error?: string } | null;
  /** A problem the admin must fix (state cannot be saved, channel permissions...), or null. */
  problem: string | null;
}

/** How old a heartbeat may be before the bot counts as down (the reporter writes every 15 s). */
export const HEARTBEAT_STALE_MS = 60_000;

/** Judges a status: healthy, or a one-line reason why not. */
export function evaluateHealth(status: HealthStatus, now: Date): { ok: true; summary: string } | { ok: false; reason: string } {
  const age = now.getTime() - Date.parse(status.heartbeatAt);
  if (!(age <= HEARTBEAT_STALE_MS)) {
    return { ok: false, reason: `no heartbeat for ${Math.round(age / 1000)} s: the bot is down, hung, or cannot write next to its state file` };
  }
  if (!status.connected) return { ok: false, reason: 'not connected to the Discord gateway (reconnecting)' };
  if (status.problem) return { ok: false, reason: status.problem };
  if (status.lastRun?.outcome === 'failed') return { ok: false, reason: `the last digest failed: ${status.lastRun.error ?? 'unknown error'}` };
  const last = status.lastRun ? `last digest ${status.lastRun.outcome} at ${status.lastRun.at}` : 'no digest yet';
  return { ok: true, summary: `ok: ${status.mode} mode, ${last}${status.nextRunAt ? `, next at ${status.nextRunAt}` : ''}` };
}
