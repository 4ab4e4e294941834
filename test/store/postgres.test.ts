import { watch } from 'node:fs';
import pg from 'pg';
import { afterAll, describe } from 'vitest';
import { openPostgresStore } from '../../src/adapters/postgres/postgres-store.js';
import { itUnless } from '../support/skip.js';
import { startTestPostgres } from '../support/postgres.js';
import { describeStoreContract } from './contract.js';
import { locationIn, openAt } from './adapters.js';

// One server for the file, one database per test (named after the test's directory).
const { server, skip } = await startTestPostgres();
afterAll(async () => server?.stop());

const nameOf = (location: string) => decodeURIComponent(new URL(location).pathname.slice(1));

describe('store contract', () => {
  if (!server) {
    itUnless(skip)('the PostgreSQL store contract (every store test, the crash tests and the import)', () => undefined);
    return;
  }
  const walDir = server.walDir;
  describeStoreContract({
    name: 'postgres',
    open: (location) => openAt('postgres', location),
    locationIn: (dir) => locationIn(dir, 'postgres', server.url),
    durable: true,
    // A database outage: connections refused and the open ones cut, until mended.
    async breakWrites(location) {
      const admin = new pg.Client({ connectionString: server.url });
      await admin.connect();
      const name = nameOf(location);
      await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
      return async () => {
        await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
        await admin.end();
      };
    },
    crashAdapter: 'postgres',
    // The server's write-ahead log (shared by the lanes' databases): the kill lands as some commit is written.
    ...(walDir
      ? {
          watchWrites(_location: string, onWrite: () => void) {
            const watcher = watch(walDir, () => onWrite());
            return () => watcher.close();
          },
        }
      : {}),
    openSecond: (location) => openPostgresStore(location),
  });
});
