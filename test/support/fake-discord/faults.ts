import { createRandom as seeded } from '../random.js';
import type { RequestMatch } from './types.js';

/** How a `failNext` rule answers. */
export interface FailResponse {
  status: number;
  /** Discord JSON error code for 4xx bodies. */
  code?: number;
  /** How many matching requests to fail; default 1. */
  count?: number;
  /** For 429s: how long the client must wait. */
  retryAfterMs?: number;
  /** Perform the request (e.g. create the message) and only then fail the response. */
  afterCommit?: boolean;
}

/** A fault the REST layer must apply to the current request. */
export type RestFault =
  | { kind: 'fail'; status: number; code?: number; retryAfterMs?: number; label: string }
  | { kind: 'reset'; label: string };

interface Rule {
  match: RequestMatch;
  remaining: number;
  afterCommit: boolean;
  fault: RestFault;
}


const matches = (m: RequestMatch, method: string, path: string): boolean =>
  (m.method === undefined || m.method.toUpperCase() === method) && (m.path === undefined || m.path.test(path));

/** REST fault rules: one-shot failures, random failures, delays, connection resets and 429 storms. */
export class RestFaults {
  private rules: Rule[] = [];
  private rates: Array<{ match: RequestMatch; probability: number; status: number }> = [];
  private delays: Array<{ match: RequestMatch; ms: number }> = [];
  private holds: Array<{ match: RequestMatch; ms: number }> = [];
  private storms: Array<{ until: number; global: boolean; match: RequestMatch }> = [];
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = seeded(seed);
  }

  failNext(match: RequestMatch, response: FailResponse): void {
    const label = `failNext ${response.status}${response.afterCommit ? ' afterCommit' : ''}`;
    this.rules.push({
      match, remaining: response.count ?? 1, afterCommit: response.afterCommit ?? false,
      fault: { kind: 'fail', status: response.status, code: response.code, retryAfterMs: response.retryAfterMs, label },
    });
  }

  failRate(match: RequestMatch, probability: number, status = 500): void {
    this.rates.push({ match, probability, status });
  }

  delay(match: RequestMatch, ms: number): void {
    this.delays.push({ match, ms });
  }

  /** Matching requests are performed at once, then their response is held for `ms` (a slow way back). */
  holdAfterCommit(match: RequestMatch, ms: number): void {
    this.holds.push({ match, ms });
  }

  clearDelays(): void {
    this.delays = [];
    this.holds = [];
  }

  resetConnectionNext(match: RequestMatch, options: { count?: number; afterCommit?: boolean } = {}): void {
    this.rules.push({ match, remaining: options.count ?? 1, afterCommit: options.afterCommit ?? false, fault: { kind: 'reset', label: 'resetConnection' } });
  }

  rateLimitStorm(durationMs: number, options: { global?: boolean; match?: RequestMatch } = {}): void {
    this.storms.push({ until: Date.now() + durationMs, global: options.global ?? false, match: options.match ?? {} });
  }

  clear(): void {
    this.rules = [];
    this.rates = [];
    this.delays = [];
    this.holds = [];
    this.storms = [];
  }

  delayFor(method: string, path: string): number {
    return this.delays.filter((d) => matches(d.match, method, path)).reduce((sum, d) => sum + d.ms, 0);
  }

  holdFor(method: string, path: string): number {
    return this.holds.filter((d) => matches(d.match, method, path)).reduce((sum, d) => sum + d.ms, 0);
  }

  activeStorm(method: string, path: string, now: number): { retryAfterMs: number; global: boolean } | null {
    this.storms = this.storms.filter((s) => s.until > now);
    const storm = this.storms.find((s) => matches(s.match, method, path));
    return storm ? { retryAfterMs: storm.until - now, global: storm.global } : null;
  }

  /** Consumes the first matching one-shot rule for this phase, or rolls the failure rate (before commit only). */
  take(method: string, path: string, phase: 'before' | 'after'): RestFault | null {
    const rule = this.rules.find((r) => r.remaining > 0 && r.afterCommit === (phase === 'after') && matches(r.match, method, path));
    if (rule) {
      rule.remaining -= 1;
      this.rules = this.rules.filter((r) => r.remaining > 0);
      return rule.fault;
    }
    if (phase === 'before') {
      for (const rate of this.rates) {
        if (matches(rate.match, method, path) && this.random() < rate.probability) {
          return { kind: 'fail', status: rate.status, label: `failRate ${rate.status}` };
        }
      }
    }
    return null;
  }
}
