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
  { kind: 'fail'; status: number; code?: number; retryAfterMs?: number; label: string } | { kind: 'reset'; label: string };

interface Rule {
  match: RequestMatch;
  remaining: number;
  afterCommit: boolean;
  fault: RestFault;
}

/** The JSON object a request carries, for {@link RequestMatch.body}; null when there is none. */
export type PeekedBody = Record<string, unknown> | null;

const matches = (m: RequestMatch, method: string, path: string, body: PeekedBody): boolean =>
  (m.method === undefined || m.method.toUpperCase() === method) &&
  (m.path === undefined || m.path.test(path)) &&
  (m.body === undefined || (body !== null && m.body(body)));

/** REST fault rules: one-shot failures, random failures, delays, connection resets and 429 storms. */
export class RestFaults {
  private rules: Rule[] = [];
  private rates: Array<{ match: RequestMatch; probability: number; status: number }> = [];
  private delays: Array<{ match: RequestMatch; ms: number; afterCommit: boolean }> = [];
  private storms: Array<{ until: number; global: boolean; match: RequestMatch }> = [];
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = seeded(seed);
  }

  failNext(match: RequestMatch, response: FailResponse): void {
    const label = `failNext ${response.status}${response.afterCommit ? ' afterCommit' : ''}`;
    this.rules.push({
      match,
      remaining: response.count ?? 1,
      afterCommit: response.afterCommit ?? false,
      fault: { kind: 'fail', status: response.status, code: response.code, retryAfterMs: response.retryAfterMs, label },
    });
  }

  failRate(match: RequestMatch, probability: number, status = 500): void {
    this.rates.push({ match, probability, status });
  }

  delay(match: RequestMatch, ms: number, options: { afterCommit?: boolean } = {}): void {
    this.delays.push({ match, ms, afterCommit: options.afterCommit ?? false });
  }

  clearDelays(): void {
    this.delays = [];
  }

  resetConnectionNext(match: RequestMatch, options: { count?: number; afterCommit?: boolean } = {}): void {
    this.rules.push({
      match,
      remaining: options.count ?? 1,
      afterCommit: options.afterCommit ?? false,
      fault: { kind: 'reset', label: 'resetConnection' },
    });
  }

  rateLimitStorm(durationMs: number, options: { global?: boolean; match?: RequestMatch } = {}): void {
    this.storms.push({ until: Date.now() + durationMs, global: options.global ?? false, match: options.match ?? {} });
  }

  clear(): void {
    this.rules = [];
    this.rates = [];
    this.delays = [];
    this.storms = [];
  }

  delayFor(method: string, path: string, body: PeekedBody, phase: 'before' | 'after' = 'before'): number {
    return this.delays
      .filter((d) => d.afterCommit === (phase === 'after') && matches(d.match, method, path, body))
      .reduce((sum, d) => sum + d.ms, 0);
  }

  activeStorm(method: string, path: string, now: number, body: PeekedBody = null): { retryAfterMs: number; global: boolean } | null {
    this.storms = this.storms.filter((s) => s.until > now);
    const storm = this.storms.find((s) => matches(s.match, method, path, body));
    return storm ? { retryAfterMs: storm.until - now, global: storm.global } : null;
  }

  /** Consumes the first matching one-shot rule for this phase, or rolls the failure rate (before commit only). */
  take(method: string, path: string, phase: 'before' | 'after', body: PeekedBody = null): RestFault | null {
    const rule = this.rules.find((r) => r.remaining > 0 && r.afterCommit === (phase === 'after') && matches(r.match, method, path, body));
    if (rule) {
      rule.remaining -= 1;
      this.rules = this.rules.filter((r) => r.remaining > 0);
      return rule.fault;
    }
    if (phase === 'before') {
      for (const rate of this.rates) {
        if (matches(rate.match, method, path, body) && this.random() < rate.probability) {
          return { kind: 'fail', status: rate.status, label: `failRate ${rate.status}` };
        }
      }
    }
    return null;
  }
}
