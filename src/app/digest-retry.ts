import { type Logger, PostError } from './ports.js';

/** Runs a call to the destination, retrying transient failures; throws a {@link PostError}. */
export type Retrying = <T>(call: () => Promise<T>) => Promise<T>;

/** Anything thrown by a poster, as a classified {@link PostError} (unknown errors count as transient). */
export function toPostError(error: unknown): PostError {
  if (error instanceof PostError) return error;
  return new PostError('transient', error instanceof Error ? error.message : String(error));
}

/** Bounded retries of transient failures: one pause per entry of `delaysMs`, then the failure is thrown. */
export function createRetrying(options: {
  destination: string;
  logger: Logger;
  delaysMs: readonly number[];
  sleep: (ms: number) => Promise<void>;
}): Retrying {
  const { destination, logger, delaysMs, sleep } = options;
  return async function retrying<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await call();
      } catch (error) {
        const postError = toPostError(error);
        const delay = delaysMs[attempt];
        if (postError.kind !== 'transient' || delay === undefined) throw postError;
        logger.warn({ destination, attempt: attempt + 1, delayMs: delay }, `post failed (${postError.message}); retrying`);
        await sleep(delay);
      }
    }
  };
}
