import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { pino, type Logger as PinoLogger } from 'pino';
import type pinoPretty from 'pino-pretty';
import type { LogLevel } from '../config.js';
import type { Logger } from '../app/ports.js';

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  level: LogLevel;
  /** Secrets that must never reach the output (the bot token): replaced wherever they appear. */
  secrets: Array<string | null | undefined>;
  /** Readable lines for a person at a terminal; JSON lines otherwise (production, Docker, files). */
  pretty: boolean;
  /** Where lines go; stderr by default so stdout stays for command output and console digests. */
  destination?: NodeJS.WritableStream;
}

/** A real writable stream (pino-pretty pipes into it) that scrubs every secret from what passes through. */
function createScrubbingStream(target: NodeJS.WritableStream, secrets: string[]): NodeJS.WritableStream {
  if (secrets.length === 0) return target;
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      let text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      for (const secret of secrets) text = text.split(secret).join('[redacted]');
      target.write(text);
      done();
    },
  });
}

/** pino-pretty, loaded only for a terminal: a bot in Docker or under systemd logs JSON and never needs it (~2 MB). */
function loadPinoPretty(): typeof pinoPretty {
  return createRequire(import.meta.url)('pino-pretty') as typeof pinoPretty;
}

/**
 * Logs an error (`{ err }`) with pino's serializer, so its type, stack and causes are kept. A Discord error also
 * carries the URL it called, which for an interaction or a webhook holds that interaction's own token, and the body
 * it sent (ours, and file bytes): the token is masked and the body left out.
 */
function serializeError(value: unknown): unknown {
  // pino's serializer hands back anything that is not an error (a thrown string) as it is.
  const serialized: unknown = pino.stdSerializers.err(value as Error);
  if (serialized === value || typeof serialized !== 'object' || serialized === null) return serialized;
  const fields = serialized as Record<string, unknown>;
  if (typeof fields.url === 'string') fields.url = fields.url.replace(/\/(interactions|webhooks)\/(\d+)\/[^/?#]+/g, '/$1/$2/[redacted]');
  delete fields.requestBody;
  return fields;
}

/** Creates the structured logger (pino): every line passes a scrubber that removes the token. */
export function createLogger(options: LoggerOptions): Logger & { pino: PinoLogger } {
  // Short secrets would redact ordinary words; a real token is ~70 characters.
  const secrets = options.secrets.filter((s): s is string => typeof s === 'string' && s.length >= 8);
  const sink = createScrubbingStream(options.destination ?? process.stderr, secrets);
  const stream = options.pretty
    ? loadPinoPretty()({ destination: sink, colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', sync: true })
    : sink;
  const logger = pino(
    {
      level: options.level,
      base: { app: 'paperboy' },
      serializers: { err: serializeError },
      redact: { paths: ['token', '*.token', 'headers.authorization', '*.headers.authorization'], censor: '[redacted]' },
    },
    stream,
  );
  return {
    pino: logger,
    debug: (fields, message) => logger.debug(fields, message),
    info: (fields, message) => logger.info(fields, message),
    warn: (fields, message) => logger.warn(fields, message),
    error: (fields, message) => logger.error(fields, message),
  };
}
