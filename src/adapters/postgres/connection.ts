import pg from 'pg';
import { redactUrl } from './redact-url.js';

export { redactUrl };
import { OperatorError } from '../../core/errors.js';

/*
 * Connecting to PostgreSQL, and saying in words an operator can act on why it failed: the server is down, the
 * password is wrong, the database does not exist. Messages name the database by its URL without the password.
 */

/** What a refused database's message advises. */
export const untouchedDatabase =
  'It was left untouched. Point DATABASE_URL at an empty database (or one Paperboy created), or restore a backup into a new one with `paperboy state import`.';

/** PostgreSQL cannot be reached or refused the connection: what happened and what to fix. */
export class DatabaseConnectionError extends OperatorError {
  constructor(
    /** The database URL without its password. */
    readonly where: string,
    /** PostgreSQL's SQLSTATE or the system's error code (ECONNREFUSED), when known. */
    readonly code: string | undefined,
    /** What went wrong and what to fix, without the database's name. */
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`cannot open the PostgreSQL database ${where}: ${reason}`, options);
    this.name = 'DatabaseConnectionError';
  }
}

/** A pool of connections to the database of `url`. */
export function createPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: 10_000,
    // A server that stops answering fails the step after 30 s (it is retried like any failed write) instead of hanging.
    query_timeout: 30_000,
    application_name: 'paperboy',
  });
  // An idle connection the server closed (a restart, a failover) is dropped from the pool; the next write reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Takes a connection from the pool for one piece of work. While it is out, an unexpected disconnection is recorded
 * rather than thrown from an event (pg emits it even when the query under way already rejected with it); `release`
 * hands the connection back, or throws it away when it broke.
 */
export async function checkOut(pool: pg.Pool): Promise<{ client: pg.PoolClient; release: (failed?: Error) => void }> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (error: Error) => (broken = error);
  client.on('error', onError);
  return {
    client,
    release: (failed) => {
      client.removeListener('error', onError);
      client.release(broken ?? failed);
    },
  };
}

/** The error code of a pg or system error (Node reports a refused dual-stack connect as an AggregateError). */
export function errorCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; errors?: Array<{ code?: unknown }> };
  if (typeof e.code === 'string') return e.code;
  const inner = e.errors?.find((x) => typeof x.code === 'string')?.code;
  return typeof inner === 'string' ? inner : undefined;
}

/** An error as `CODE (message)` when it has a code, its message otherwise. */
export function describePgError(error: unknown): string {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message || error.name : String(error);
  return code && message && !message.includes(code) ? `${code} (${message})` : message || (code ?? 'unknown error');
}

/**
 * An error met while connecting as a {@link DatabaseConnectionError} whose message says what to fix; errors that are
 * not about the connection are returned as they are.
 */
export function toConnectionError(url: string, error: unknown): Error {
  const where = redactUrl(url);
  const code = errorCode(error);
  let target: URL | null = null;
  try {
    target = new URL(url);
  } catch {
    // Reported below with the driver's message.
  }
  const host = target ? `${target.hostname || 'localhost'}:${target.port || '5432'}` : 'the server';
  const user = target ? decodeURIComponent(target.username) || 'the default user' : 'the user';
  const database = target ? decodeURIComponent(target.pathname.slice(1)) || user : 'the database';
  const why = (reason: string) => new DatabaseConnectionError(where, code, reason, { cause: error });
  switch (code) {
    case 'ECONNREFUSED':
      return why(`connection refused at ${host}. Start PostgreSQL, or fix the host and port in DATABASE_URL.`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return why(`the host of DATABASE_URL (${target?.hostname ?? '?'}) cannot be resolved. Fix the host in DATABASE_URL.`);
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return why(`no answer from ${host} (${code}). Check that the server is up and reachable from here (firewall, network).`);
    case '28P01':
      return why(`password authentication failed for user "${user}". Fix the user or password in DATABASE_URL.`);
    case '28000':
      return why(
        `the server refused user "${user}" (${describePgError(error)}). Fix the user in DATABASE_URL, or allow it in the server's pg_hba.conf.`,
      );
    case '3D000':
      return why(
        `database "${database}" does not exist. Create it (\`createdb -h ${target?.hostname ?? 'HOST'} -U ${user} ${database}\`, or CREATE DATABASE "${database}"), or fix the database name in DATABASE_URL.`,
      );
    case '42501':
      return why(
        `user "${user}" may not create or change tables there (${describePgError(error)}). Grant it (GRANT CREATE ON SCHEMA public TO "${user}"), or use the database's owner.`,
      );
    case '57P03':
    case '53300':
      return why(
        `the server does not accept connections now (${describePgError(error)}). Try again once it has started, or raise max_connections.`,
      );
    default:
      break;
  }
  if (error instanceof Error && /timeout/i.test(error.message))
    return why(`no answer from ${host} within 10 s. Check that the server is up and reachable from here.`);
  if (code?.startsWith('08') || (error instanceof Error && /connect|terminat/i.test(error.message)))
    return why(`${describePgError(error)}. Check that the server is up and that DATABASE_URL is right.`);
  return error instanceof Error ? error : new Error(String(error));
}
