import { createHash } from 'node:crypto';
import type { BucketLimit } from './types.js';

/** Headers and, when limited, the 429 body for one request. */
export interface RateLimitVerdict {
  limited: boolean;
  headers: Record<string, string>;
  body?: { message: string; retry_after: number; global: boolean };
}

interface Bucket {
  remaining: number;
  resetAt: number;
}

const seconds = (ms: number): number => Math.max(0, Math.round(ms) / 1000);

/** Discord-style bucket hash for a route template (stable, opaque, 32 hex chars). */
export function bucketHash(template: string): string {
  return createHash('md5').update(template).digest('hex');
}

/** Builds a 429 response the way Discord does (integer Retry-After header, float `retry_after` body). */
export function tooManyRequests(
  retryAfterMs: number,
  scope: 'user' | 'global' | 'shared',
  extra: Record<string, string> = {},
): RateLimitVerdict {
  const headers: Record<string, string> = {
    'Retry-After': String(Math.ceil(retryAfterMs / 1000)),
    'X-RateLimit-Scope': scope,
    ...extra,
  };
  if (scope === 'global') headers['X-RateLimit-Global'] = 'true';
  return {
    limited: true,
    headers,
    body: { message: 'You are being rate limited.', retry_after: seconds(retryAfterMs), global: scope === 'global' },
  };
}

/** Fixed-window per-route buckets (keyed by bucket hash + major parameter) plus the global per-second limit. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private global = { count: 0, resetAt: 0 };

  constructor(private readonly limits: { messages: BucketLimit; other: BucketLimit; globalPerSecond: number }) {}

  /** Counts a request against the global limit; returns a 429 verdict when it is exceeded. */
  checkGlobal(now: number): RateLimitVerdict | null {
    if (now >= this.global.resetAt) this.global = { count: 0, resetAt: now + 1000 };
    this.global.count += 1;
    if (this.global.count > this.limits.globalPerSecond) return tooManyRequests(this.global.resetAt - now, 'global');
    return null;
  }

  /** Counts a request against its route bucket and returns the headers to send (429 when exhausted). */
  checkRoute(kind: 'messages' | 'other', template: string, major: string, now: number): RateLimitVerdict {
    const { limit, windowMs } = kind === 'messages' ? this.limits.messages : this.limits.other;
    const hash = bucketHash(template);
    const key = `${hash}:${major}`;
    let bucket = this.buckets.get(key);
    if (!bucket || now >= bucket.resetAt) {
      bucket = { remaining: limit, resetAt: now + windowMs };
      this.buckets.set(key, bucket);
    }
    const exhausted = bucket.remaining <= 0;
    if (!exhausted) bucket.remaining -= 1;
    const headers = {
      'X-RateLimit-Limit': String(limit),
      'X-RateLimit-Remaining': String(bucket.remaining),
      'X-RateLimit-Reset': (bucket.resetAt / 1000).toFixed(3),
      'X-RateLimit-Reset-After': seconds(bucket.resetAt - now).toFixed(3),
      'X-RateLimit-Bucket': hash,
    };
    if (!exhausted) return { limited: false, headers };
    return tooManyRequests(bucket.resetAt - now, 'user', headers);
  }
}
