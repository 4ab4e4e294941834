import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/*
 * A real, throwaway PostgreSQL for the tests (never a mock): DATABASE_URL_TEST when set (an existing server the
 * tests may create databases in), else a server of its own from the machine's binaries (initdb + postgres in a
 * temp folder, on a free port). PostgreSQL refuses to run as root, so as root it runs as the `postgres` user (or
 * `nobody`), in a folder owned by it. Without either, the suites that need it are skipped with the reason, loudly.
 */

/** A PostgreSQL server the tests can create databases in. */
export interface TestPostgres {
  /** A URL of the server's maintenance database (`postgres`). */
  readonly url: string;
  /** The server's write-ahead log folder when it runs here (to watch commits land), null for DATABASE_URL_TEST. */
  readonly walDir: string | null;
  /** A URL of a new, empty database on the server (a new name each call unless `name` is given). */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server this helper started and deletes its folder (nothing for DATABASE_URL_TEST). */
  stop(): Promise<void>;
}

/** What starting a test server gave: the server, or why there is none. */
export type TestPostgresStart = { server: TestPostgres; skip: null } | { server: null; skip: string };

/** Options of {@link startTestPostgres}. */
export interface TestPostgresOptions {
  /** fsync on (the bench measures real commits); off by default: the tests kill clients, never the server. */
  durable?: boolean;
}

/**
 * Starts (or connects to) a PostgreSQL for one test file. On CI (`CI=true`, or `PAPERBOY_REQUIRE_POSTGRES=1` as
 * .ci/run sets) a server that cannot be had is an error, not a skip: the suite must run there.
 */
export async function startTestPostgres(options: TestPostgresOptions = {}): Promise<TestPostgresStart> {
  const given = process.env.DATABASE_URL_TEST?.trim();
  const result: TestPostgresStart = given ? { server: await useExistingServer(given), skip: null } : await startOwnServer(options);
  if (result.skip !== null && (process.env.CI === 'true' || process.env.PAPERBOY_REQUIRE_POSTGRES === '1'))
    throw new Error(
      `no PostgreSQL for the tests, and this run requires one (CI): ${result.skip}. .ci/run provides one; see DATABASE_URL_TEST and PG_BIN.`,
    );
  return result;
}

/** The password of the `postgres` user on a server this helper starts. */
export const PASSWORD = 'paperboy-test';

let counter = 0;
const uniqueName = () => `t_${process.pid}_${Date.now().toString(36)}_${(counter += 1)}`;

/** The URL of database `name` on the server of `url`. */
export function databaseUrl(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Creates the database of `url` when it does not exist yet (a crash child opening its lane's database first). */
export async function ensureDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new pg.Client({ connectionString: databaseUrl(url, 'postgres') });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      await admin.query(`CREATE DATABASE "${name}" TEMPLATE template0`).catch((error: unknown) => {
        // Two children racing to create the same database: the other one won.
        if ((error as { code?: string }).code !== '42P04' && (error as { code?: string }).code !== '23505') throw error;
      });
    }
  } finally {
    await admin.end();
  }
}

function serverOf(url: string, walDir: string | null, stop: () => Promise<void>): TestPostgres {
  return {
    url,
    walDir,
    async createDatabase(name = uniqueName()) {
      const target = databaseUrl(url, name);
      await ensureDatabase(target);
      return target;
    },
    stop,
  };
}

async function useExistingServer(url: string): Promise<TestPostgres> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(`DATABASE_URL_TEST is set but its server cannot be reached: ${(error as Error).message}`, { cause: error });
  } finally {
    await client.end().catch(() => undefined);
  }
  return serverOf(databaseUrl(url, 'postgres'), null, async () => undefined);
}

/** The folder of initdb and postgres: PG_BIN, the PATH, or Debian's /usr/lib/postgresql/<version>/bin. */
export function findPostgresBin(): string | null {
  const candidates = [process.env.PG_BIN];
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    // No pg_config on the PATH.
  }
  for (const dir of (process.env.PATH ?? '').split(':')) candidates.push(dir);
  if (existsSync('/usr/lib/postgresql')) {
    const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
    for (const version of versions) candidates.push(join('/usr/lib/postgresql', version, 'bin'));
  }
  for (const dir of candidates) if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'))) return dir;
  return null;
}

/** The user a server runs as: the current one, or as root an unprivileged one (PostgreSQL refuses root). */
function findRunAs(): { uid: number; gid: number; name: string } | null {
  if (process.getuid?.() !== 0) return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, name: 'current' };
  for (const name of ['postgres', 'nobody']) {
    try {
      const id = (flag: string) =>
        Number(execFileSync('id', [flag, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      return { uid: id('-u'), gid: id('-g'), name };
    } catch {
      // No such user.
    }
  }
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function startOwnServer(options: TestPostgresOptions): Promise<TestPostgresStart> {
  const bin = findPostgresBin();
  if (!bin)
    return {
      server: null,
      skip: "no PostgreSQL: DATABASE_URL_TEST is not set and initdb/postgres were not found (install Debian's postgresql package, or set PG_BIN or DATABASE_URL_TEST)",
    };
  const user = findRunAs();
  if (!user) return { server: null, skip: 'running as root and neither a postgres nor a nobody user exists to run PostgreSQL as' };
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-pg-'));
  const data = join(dir, 'data');
  const as = { uid: user.uid, gid: user.gid, env: { ...process.env, LC_ALL: 'C', HOME: dir } };
  try {
    await chmod(dir, 0o700);
    await chown(dir, user.uid, user.gid);
    // Passwords over TCP (so a wrong one can be tested), none over the socket.
    await writeFile(join(dir, 'pw'), `${PASSWORD}\n`);
    await chown(join(dir, 'pw'), user.uid, user.gid);
    const init = ['-D', data, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${join(dir, 'pw')}`];
    execFileSync(join(bin, 'initdb'), [...init, '-E', 'UTF8', '--no-sync', '--no-instructions'], {
      ...as,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return { server: null, skip: `initdb failed (as ${user.name}): ${stderr || (error as Error).message}` };
  }
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freePort();
    const settings = [
      ['listen_addresses', '127.0.0.1'],
      ['port', String(port)],
      ['unix_socket_directories', dir],
      ['max_connections', '200'],
      ['fsync', options.durable ? 'on' : 'off'],
      ['synchronous_commit', options.durable ? 'on' : 'off'],
      ['full_page_writes', options.durable ? 'on' : 'off'],
      ['shared_buffers', '32MB'],
    ];
    const child = spawn(join(bin, 'postgres'), ['-D', data, ...settings.flatMap(([k, v]) => ['-c', `${k}=${v}`])], {
      ...as,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const url = `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`;
    if (await waitReady(url, child)) {
      const stop = async () => {
        await stopServer(child);
        await rm(dir, { recursive: true, force: true });
      };
      return { server: serverOf(url, join(data, 'pg_wal'), stop), skip: null };
    }
    await stopServer(child);
    lastError = stderr.trim().split('\n').slice(-3).join(' / ');
  }
  await rm(dir, { recursive: true, force: true });
  return { server: null, skip: `postgres did not start: ${lastError}` };
}

async function waitReady(url: string, child: ChildProcess): Promise<boolean> {
  for (let i = 0; i < 300; i += 1) {
    if (child.exitCode !== null) return false;
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return true;
    } catch {
      await client.end().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return false;
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // SIGQUIT: immediate shutdown (the data folder is thrown away anyway).
  child.kill('SIGQUIT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
