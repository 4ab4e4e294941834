import Database from 'better-sqlite3';
import { watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { describe } from 'vitest';
import { openSqliteStore } from '../../src/adapters/sqlite/sqlite-store.js';
import { describeStoreContract } from './contract.js';
import { locationIn } from './adapters.js';

describe('store contract', () => {
  describeStoreContract({
    name: 'sqlite',
    open: (location) => openSqliteStore(location),
    locationIn: (dir) => locationIn(dir, 'sqlite'),
    durable: true,
    // Another connection holding the write lock: every commit of the store's own fails (SQLITE_BUSY) until released.
    async breakWrites(location) {
      const other = new Database(location);
      other.exec('BEGIN EXCLUSIVE');
      return async () => {
        other.exec('ROLLBACK');
        other.close();
      };
    },
    crashAdapter: 'sqlite',
    // Each commit appends to the write-ahead log.
    watchWrites(location, onWrite) {
      const watcher = watch(dirname(location), (_event, name) => {
        if (name === `${basename(location)}-wal`) onWrite();
      });
      return () => watcher.close();
    },
    // A second connection, as another process would open (the lock, which keeps one out, is not what is tested).
    openSecond: (location) => openSqliteStore(location, { lock: false }),
  });
});
