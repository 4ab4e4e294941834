import { type HealthStatus, listDigestConcerns } from '../core/health.js';
import type { CorpusFileProblem } from '../core/paper.js';
import type { FeedProgress } from '../core/state.js';
import type { DigestResult } from './run-digest.js';

/**
 * The problem an admin must fix that health reports after a run: set by a failure only the admin can mend, kept
 * while runs are busy or fail again, cleared once a digest goes through.
 */
export function updateProblem(previous: string | null, result: DigestResult): string | null {
  // An unreadable corpus is not one: the bot works, health says degraded and why. A transient failure heals itself.
  if (result.outcome === 'failed' && result.errorKind && result.errorKind !== 'transient' && result.errorKind !== 'corpus')
    return result.error ?? result.errorKind;
  if (result.outcome !== 'busy' && result.outcome !== 'failed') return null;
  return previous;
}

/** What the running bot knows about itself when health asks. */
export interface HealthFacts {
  pid: number;
  mode: HealthStatus['mode'];
  connected: boolean;
  now: Date;
  startedAt: string;
  nextRun: Date | null;
  /** The digest feed's progress, for the last run and the concerns. */
  destination: FeedProgress;
  problem: string | null;
  /** Where the corpus lives, for concerns that tell an admin where to look. */
  corpusLocation?: string;
  /** Corpus files that give no papers (quarantined, unknown format, unreadable): each is a concern. */
  corpusProblems?: readonly CorpusFileProblem[];
  /** Live sources whose last fetch failed, one sentence each: the digest goes on, but without fresh papers. */
  sourceConcerns?: readonly string[];
}

/** Builds the status the health reporter writes and serves, from what the bot knows about itself. */
export function buildHealthStatus(facts: HealthFacts): HealthStatus {
  const last = facts.destination.lastRun;
  return {
    pid: facts.pid,
    mode: facts.mode,
    connected: facts.connected,
    heartbeatAt: facts.now.toISOString(),
    startedAt: facts.startedAt,
    nextRunAt: facts.nextRun?.toISOString() ?? null,
    lastRun: last
      ? {
          at: last.at,
          outcome: last.outcome,
          ...(last.error ? { error: last.error } : {}),
          ...(last.reason ? { reason: last.reason } : {}),
        }
      : null,
    problem: facts.problem,
    concerns: [
      ...listDigestConcerns(facts.destination, { location: facts.corpusLocation, problems: facts.corpusProblems ?? [] }),
      ...(facts.sourceConcerns ?? []),
    ],
  };
}
